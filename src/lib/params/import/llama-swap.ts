import { getCatalogue } from '../catalogue';
import { importLlamaSwapFile } from '../setup/import-llama-swap';
import type { Catalogue } from '../types';
import type { ImportResult } from './command';

/**
 * Reads one model of a llama-swap config (a whole config.yaml, or just its `name: {cmd: …}` entries):
 * `pick` by name, else the first model with a command. The others are named in the warnings.
 */
export function importLlamaSwap(text: string, cat: Catalogue = getCatalogue(), pick?: string): ImportResult {
  const setup = importLlamaSwapFile(text, cat);
  const entry = setup.models.find((m) => m.name === pick) ?? setup.models.find((m) => m.program !== null);
  if (!entry) return { args: {}, extraArgs: [], env: {}, warnings: ['no model with a cmd found'], program: null, secretRefs: {} };
  const { swap, ...result } = entry;
  // The entry's own env list (not llama-server arguments) is shown as env, as for other commands.
  const env: Record<string, string> = {};
  for (const item of Array.isArray(swap?.env) ? swap.env : []) {
    const at = String(item).indexOf('=');
    if (at > 0) env[String(item).slice(0, at)] = String(item).slice(at + 1);
  }
  const warnings = [...setup.warnings, ...result.warnings];
  for (const m of setup.models) if (m !== entry) warnings.push(`model ${m.name} was not imported`);
  return { ...result, env, warnings };
}
