import type { LaunchConfig } from '../types';
import { writeCmd } from './cmd';
import { writeCompose, writeDockerRun } from './docker';
import { writeEnvFile } from './env-file';
import { writeLlamaSwap } from './llama-swap';
import { writePosix } from './posix';
import { writePowerShell } from './powershell';
import { writePresetIni } from './preset-ini';
import { writeSystemd } from './systemd';
import type { ExportFormat, ExportOptions, ExportResult } from './types';

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
