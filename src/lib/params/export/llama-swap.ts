import { configToArgv } from '../argv';
import { getArg, getCatalogue } from '../catalogue';
import { quotePosix } from '../quote/posix';
import { yamlBlockSafe, yamlString } from '../quote/yaml';
import type { LaunchConfig } from '../types';
import type { ExportOptions, ExportResult } from './types';

const ENV_REF = /\$\{env\.[A-Za-z_][A-Za-z0-9_]*\}/g;

/**
 * A llama-swap config.yaml model entry. llama-swap substitutes macros (`${PORT}`, `${env.NAME}`)
 * in `cmd`, drops lines starting with `#`, joins lines ending in `\`, then splits the command like
 * a POSIX shell without expanding anything; values are therefore single-quoted POSIX words, and
 * values containing `${` or line breaks are refused. Secrets go into the entry's `env` list as
 * `${env.NAME}` macros, which llama-swap fills from its own environment when it loads the file.
 */
export function writeLlamaSwap(config: LaunchConfig, opts: ExportOptions): ExportResult {
  const cat = opts.catalogue ?? getCatalogue();
  const args = { ...config.args };
  const host = String(args['--host'] ?? getArg(cat, '--host')?.default ?? '127.0.0.1');
  args['--port'] = '${PORT}';
  const { items, errors, skipped } = configToArgv({ args, extraArgs: config.extraArgs }, opts);
  const warnings: string[] = [...skipped];
  const lines = [quotePosix(opts.binary ?? 'llama-server')];
  const env: string[] = [];
  for (const item of items) {
    if (item.words.some((w) => 'env' in w)) {
      env.push(`${item.secretEnv}=\${env.${item.secretEnv}}`);
      warnings.push(`${item.key} is read from the environment variable ${item.secretEnv}, which llama-swap must have when it loads the file`);
      continue;
    }
    const lits = item.words.map((w) => ('lit' in w ? w.lit : ''));
    if (item.key === '--port') {
      lines.push('--port ${PORT}');
      continue;
    }
    // `${env.NAME}` is llama-swap's own reference to its environment (kept from an import); any other `${` would be read as a macro.
    const bad = lits.find((l) => /[\r\n]/.test(l) || l.replace(ENV_REF, '').includes('${') || !yamlBlockSafe(l));
    if (bad !== undefined) errors.push(`${item.key ?? lits[0]}: llama-swap cannot carry this value (line break, "\${" or a control character)`);
    else lines.push(lits.map(quotePosix).join(' '));
  }
  const proxyHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const name = config.name?.trim() || 'model';
  const out = ['models:', `  ${yamlString(name)}:`, '    cmd: |', ...lines.map((l) => `      ${l}`), `    proxy: ${yamlString(`http://${proxyHost}:\${PORT}`)}`];
  if (env.length) out.push('    env:', ...env.map((e) => `      - ${yamlString(e)}`));
  if (lines.some((l) => /['"\\]/.test(l))) warnings.push('quoted values follow POSIX rules; llama-swap on Windows splits commands differently');
  return { text: out.join('\n') + '\n', filename: 'llama-swap.yaml', warnings, errors };
}
