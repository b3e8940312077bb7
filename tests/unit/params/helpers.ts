import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { getCatalogue, type ArgSpec, type ArgValue, type LaunchConfig } from '../../../src/lib/params/index';

export const PRINTER_DIR = fileURLToPath(new URL('../../fixtures/argv-printer', import.meta.url));

/**
 * Runs several commands in ONE real shell process (`bash -c` / `dash -c`) with the argv-printing
 * stand-in first on PATH, and returns the argv each command printed (one JSON line per command).
 */
export function runInShell(shell: '/bin/bash' | '/bin/dash', commands: string[], env: Record<string, string> = {}): string[][] {
  const script = commands.map((c) => `${c.trimEnd()}\n`).join('');
  const out = execFileSync(shell, ['-c', script], {
    env: { PATH: `${PRINTER_DIR}:/usr/bin:/bin`, LC_ALL: 'C.UTF-8', ...env },
    encoding: 'utf8',
    // stdin must not be Node's socketpair: bash would take that for rshd and source ~/.bashrc.
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
  return out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as string[]);
}

const NASTY = [
  "'", '"', '$', '`', '!', '\\', '\n', ' ', '\t', '-', '--', '#', ';', '&', '|', '*', '?', '~', '%', '^',
  '(', ')', '{', '}', '[', ']', '<', '>', '=', ',', '\r', 'é', '日本', '😀', '\u2019', '\u201c', '$HOME',
  '${PORT}', '%PATH%', '!x!', "''", '\\\n', '$(id)', '`id`', '\u00a0', '\u2028',
];

/** Arbitrary text built from shell metacharacters, quotes, control characters and any Unicode (no NUL). */
export const nastyString = (maxParts = 8): fc.Arbitrary<string> =>
  fc
    .array(fc.oneof(fc.constantFrom(...NASTY), fc.string({ unit: 'binary', maxLength: 3 })), { maxLength: maxParts })
    .map((parts) => parts.join('').replaceAll('\0', ''));

const specs = getCatalogue().args.filter((s) => !s.presetOnly);

/** A value of the right type for `spec` (strings are nasty; numbers and enums valid). */
export function valueFor(spec: ArgSpec, text: fc.Arbitrary<string>): fc.Arbitrary<ArgValue> {
  switch (spec.type) {
    case 'flag':
      return fc.constant(true);
    case 'bool':
      return fc.boolean();
    case 'int':
      return fc.integer({ min: -1_000_000, max: 1_000_000 });
    case 'float':
      // -0 prints as "0": a user cannot type it, so it is not a value to round-trip.
      return fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }).map((x) => x + 0);
    case 'enum':
      return fc.constantFrom(...(spec.values ?? ['x']));
    case 'string_pair':
      return fc.tuple(fc.nat(99), fc.nat(99)).map(([a, b]) => `${a} ${b}`);
    default:
      return spec.secret ? text.filter((s) => s.length > 0) : text;
  }
}

/** A configuration with up to `maxArgs` catalogue arguments of arbitrary values, and extra arguments. */
export function configArb(
  opts: { maxArgs?: number; extra?: fc.Arbitrary<string[]>; text?: fc.Arbitrary<string>; only?: (s: ArgSpec) => boolean } = {},
): fc.Arbitrary<LaunchConfig> {
  const text = opts.text ?? nastyString();
  const pool = opts.only ? specs.filter(opts.only) : specs;
  return fc
    .uniqueArray(fc.constantFrom(...pool), { maxLength: opts.maxArgs ?? 6, selector: (s) => s.key })
    .chain((chosen) =>
      fc.record({
        args: fc.tuple(...chosen.map((s) => valueFor(s, text))).map((vals) =>
          Object.fromEntries(chosen.map((s, i) => [s.key, vals[i]])),
        ),
        extraArgs: opts.extra ?? fc.array(text, { maxLength: 3 }),
      }),
    );
}

/** Extra arguments an importer can read back unchanged: unknown long flags, each with one value. */
export const unknownFlagPairs = (text: fc.Arbitrary<string>): fc.Arbitrary<string[]> =>
  fc
    .array(fc.tuple(fc.stringMatching(/^--x-[a-z]{1,8}$/), text.filter((v) => !v.startsWith('-'))), { maxLength: 2 })
    .map((pairs) => pairs.flat());
