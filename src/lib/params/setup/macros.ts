/**
 * llama-swap macros: `${name}` is replaced by the model's macro of that name, else the global one;
 * macro values may use other macros. `${PORT}` and `${env.NAME}` are filled by llama-swap when it
 * runs, so they stay as written; `${MODEL_ID}` is the model's own name.
 */
const REF = /\$\{([A-Za-z0-9_.-]+)\}/g;
const RUNTIME = /^(PORT|env\.[A-Za-z_][A-Za-z0-9_]*)$/;
/** Macros nest; a file that needs more rounds than this is circular. */
const MAX_ROUNDS = 16;

/** The text of a macro value (llama-swap takes strings, numbers and booleans). */
export function macroText(v: unknown): string | null {
  if (typeof v === 'string') return v.replace(/\n$/, '');
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return null;
}

/**
 * Expands the macros in `text`. Unknown names are left as written and reported; the result may grow
 * at most to `maxChars` (a few macros that repeat each other could otherwise fill the memory).
 */
export function expandMacros(
  text: string,
  macros: Record<string, unknown>,
  modelId: string,
  warnings: string[],
  maxChars = 1024 * 1024,
): string {
  let out = text;
  const unknown = new Set<string>();
  for (let round = 0; round < MAX_ROUNDS; round++) {
    let changed = false;
    out = out.replace(REF, (whole, name: string) => {
      if (RUNTIME.test(name)) return whole;
      if (name === 'MODEL_ID') {
        changed = true;
        return modelId;
      }
      const value = Object.hasOwn(macros, name) ? macroText(macros[name]) : null;
      if (value === null) {
        unknown.add(name);
        return whole;
      }
      changed = true;
      return value;
    });
    if (out.length > maxChars) throw new Error(`the macros of ${modelId} expand to more than ${maxChars / 1024} KiB`);
    if (!changed) {
      for (const n of unknown) warnings.push(`\${${n}} is not a macro of the file; kept as written`);
      return out;
    }
  }
  throw new Error(`the macros of ${modelId} refer to each other in a circle`);
}
