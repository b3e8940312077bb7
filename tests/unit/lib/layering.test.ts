// The layers of src/ and the arrows between them, one way only:
//   ui -> state -> (Comlink) worker -> db, collect -> lib
// state may name the worker's types (the RPC type is derived from the worker's implementation) but
// never run its code; lib is what the exporter reuses, so it may import only itself and packages
// that are pure code running alike in Node and browsers, named here.
const PURE_PACKAGES = new Set(['yaml']);
const MAY_IMPORT: Record<string, string[]> = {
  lib: [],
  db: ['lib'],
  collect: ['lib'],
  worker: ['db', 'collect', 'lib'],
  state: ['lib'],
  ui: ['state', 'lib'],
};
const MAY_IMPORT_TYPES: Record<string, string[]> = { state: ['worker'], ui: ['worker'] };
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const SRC = resolve(__dirname, '../../../src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : /\.(ts|svelte)$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

const layerOf = (file: string) => relative(SRC, file).split(sep)[0];

interface Import { file: string; spec: string; typeOnly: boolean }

function imports(): Import[] {
  return sources(SRC).flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(/^\s*(import|export)\s+(type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/gm)]
      .map((m) => ({ file, spec: m[3] ?? m[4], typeOnly: Boolean(m[2]) })),
  );
}

describe('layering of src/', () => {
  it('each layer imports only the layers below it', () => {
    const wrong: string[] = [];
    for (const { file, spec, typeOnly } of imports()) {
      const from = layerOf(file);
      if (!(from in MAY_IMPORT)) continue;
      if (!spec.startsWith('.')) {
        if (from === 'lib' && !PURE_PACKAGES.has(spec)) wrong.push(`${relative(SRC, file)} -> ${spec}`);
        continue;
      }
      const to = layerOf(resolve(dirname(file), spec));
      const allowed = to === from || MAY_IMPORT[from].includes(to) || (typeOnly && (MAY_IMPORT_TYPES[from] ?? []).includes(to));
      if (!allowed) wrong.push(`${relative(SRC, file)} -> ${spec}`);
    }
    expect(wrong).toEqual([]);
  });

  it('relative imports of TypeScript modules leave the extension off, everywhere', () => {
    const withExt = imports().filter((i) => i.spec.startsWith('.') && i.spec.endsWith('.ts'));
    expect(withExt.map((i) => `${relative(SRC, i.file)} -> ${i.spec}`)).toEqual([]);
  });
});
