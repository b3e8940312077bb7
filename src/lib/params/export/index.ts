import type { LaunchConfig } from '../types.ts';
import { writeCmd } from './cmd.ts';
import { writeCompose, writeDockerRun } from './docker.ts';
import { writeEnvFile } from './env-file.ts';
import { writeLlamaSwap } from './llama-swap.ts';
import { writePosix } from './posix.ts';
import { writePowerShell } from './powershell.ts';
import { writePresetIni } from './preset-ini.ts';
import { writeSystemd } from './systemd.ts';
import type { ExportFormat, ExportOptions, ExportResult } from './types.ts';

const WRITERS: Record<ExportFormat, (c: LaunchConfig, o: ExportOptions) => ExportResult> = {
  posix: (c, o) => writePosix(c, o, false),
  'posix-multiline': (c, o) => writePosix(c, o, true),
  powershell: writePowerShell,
  cmd: writeCmd,
  docker: writeDockerRun,
  compose: writeCompose,
  systemd: writeSystemd,
  env: writeEnvFile,
  'preset-ini': writePresetIni,
  'llama-swap': writeLlamaSwap,
};

/**
 * Writes a configuration in one of EXPORT_FORMATS. Values are quoted for the target so none can
 * break out of its quotes; what a target cannot carry is listed in `errors` (check before use).
 */
export function exportConfig(config: LaunchConfig, format: ExportFormat, options: ExportOptions = {}): ExportResult {
  return WRITERS[format](config, options);
}
