import type { ConfigArgs } from '../../lib/params';

/** A readable name for an imported configuration: the model file or repository it serves. */
export function suggestName(args: ConfigArgs, given?: string): string {
  if (given) return given;
  for (const key of ['--model', '--hf-repo', '--model-url', '--docker-repo', '--alias']) {
    const v = args[key];
    if (typeof v !== 'string' || !v) continue;
    const base = v.split(/[\\/]/).filter(Boolean).at(-1) ?? v;
    return base.replace(/\.gguf$/i, '').replace(/:.*/, '') || v;
  }
  return 'imported';
}
