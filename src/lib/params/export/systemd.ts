import { configToArgv } from '../argv';
import { quoteSystemd, systemdProblem } from '../quote/systemd';
import type { LaunchConfig } from '../types';
import { slug } from './container';
import type { ExportOptions, ExportResult } from './types';

/**
 * A systemd service unit. Secrets stay out of the unit: llama-server reads LLAMA_API_KEY and
 * HF_TOKEN from the environment, which systemd loads from an EnvironmentFile= that only root reads.
 */
export function writeSystemd(config: LaunchConfig, opts: ExportOptions): ExportResult {
  const { items, errors, skipped } = configToArgv(config, opts);
  const secrets = items.filter((i) => i.words.some((w) => 'env' in w));
  const words = [opts.binary ?? '/usr/local/bin/llama-server'];
  const lines: string[] = [];
  for (const item of items.filter((i) => !secrets.includes(i))) {
    const lits = item.words.map((w) => ('lit' in w ? w.lit : ''));
    const bad = lits.map(systemdProblem).find((p) => p !== null);
    if (bad) errors.push(`${item.key ?? lits[0]}: ${bad}`);
    else lines.push(lits.map(quoteSystemd).join(' '));
  }
  const warnings: string[] = [...skipped];
  if (!words[0].startsWith('/')) warnings.push('systemd wants the program as an absolute path');
  const secretsFile = opts.secretsFile ?? '/etc/llama-server/secrets.env';
  const unit = [
    '[Unit]',
    `Description=llama-server${config.name ? ` (${config.name.replace(/[\r\n%]/g, ' ')})` : ''}`,
    'Wants=network-online.target',
    'After=network-online.target',
    '',
    '[Service]',
    'Type=exec',
  ];
  if (opts.user) unit.push(`User=${opts.user}`);
  if (secrets.length) {
    unit.push(`EnvironmentFile=${secretsFile}`);
    for (const s of secrets) warnings.push(`${s.key}: put ${s.secretEnv}=… into ${secretsFile} (chmod 600); llama-server reads it from there`);
  }
  unit.push(`ExecStart=${[quoteSystemd(words[0]), ...lines].join(' \\\n  ')}`, 'Restart=on-failure', 'RestartSec=5', '', '[Install]', 'WantedBy=multi-user.target', '');
  return { text: unit.join('\n'), filename: `${slug(config.name)}.service`, warnings, errors };
}
