import type { Catalogue } from '../types';

export type ExportFormat =
  | 'posix'
  | 'posix-multiline'
  | 'powershell'
  | 'cmd'
  | 'docker'
  | 'compose'
  | 'systemd'
  | 'env'
  | 'preset-ini'
  | 'llama-swap';

export interface ExportOptions {
  /** Catalogue the configuration's keys belong to (default: the built-in one). */
  catalogue?: Catalogue;
  /** Write API keys and tokens into the output instead of referring to environment variables. */
  inlineSecrets?: boolean;
  /** Program to run; each format has a sensible default (llama-server, llama-server.exe, /usr/local/bin/llama-server). */
  binary?: string;
  /** docker/compose: image (default ghcr.io/ggml-org/llama.cpp:server). */
  image?: string;
  /** systemd: file holding secrets as KEY=value lines (default /etc/llama-server/secrets.env). */
  secretsFile?: string;
  /** systemd: account the service runs as (omitted when not given). */
  user?: string;
}

export interface ExportResult {
  text: string;
  /** Suggested file name for a download. */
  filename: string;
  /** Things the user should know (secrets to provide, limits of the target). */
  warnings: string[];
  /** Arguments that could not be written; when not empty the text must not be used as is. */
  errors: string[];
}

/** Formats in menu order with their labels. */
export const EXPORT_FORMATS: { id: ExportFormat; label: string }[] = [
  { id: 'posix', label: 'Shell (one line)' },
  { id: 'posix-multiline', label: 'Shell (multi-line)' },
  { id: 'powershell', label: 'PowerShell' },
  { id: 'cmd', label: 'Windows cmd (.cmd)' },
  { id: 'docker', label: 'docker run' },
  { id: 'compose', label: 'Docker Compose service' },
  { id: 'systemd', label: 'systemd unit' },
  { id: 'env', label: 'Env file (LLAMA_ARG_…)' },
  { id: 'preset-ini', label: 'Router preset (INI)' },
  { id: 'llama-swap', label: 'llama-swap config.yaml' },
];
