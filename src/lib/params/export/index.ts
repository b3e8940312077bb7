import type { LaunchConfig } from '../types.ts';
import { writePosix } from './posix.ts';
import type { ExportFormat, ExportOptions, ExportResult } from './types.ts';

/** Writes a configuration in one of EXPORT_FORMATS. Check `errors` before using the text. */
export function exportConfig(config: LaunchConfig, format: ExportFormat, options: ExportOptions = {}): ExportResult {
  switch (format) {
    case 'posix':
      return writePosix(config, options, false);
    case 'posix-multiline':
      return writePosix(config, options, true);
    default:
      throw new Error(`export format ${format} is not available yet`);
  }
}
