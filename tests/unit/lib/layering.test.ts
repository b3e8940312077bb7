// lib/ is what the exporter reuses: it may import only itself, and packages that are pure code running
// alike in Node and browsers (no DOM, no I/O), named here.
const PURE_PACKAGES = new Set(['yaml']);
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const LIB = resolve(__dirname, '../../../src/lib');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

describe('lib layering', () => {
  it('imports nothing from outside src/lib', () => {
    const outside: string[] = [];
    for (const file of sources(LIB)) {
      for (const m of readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]/gm)) {
        const spec = m[1];
        const inside = spec.startsWith('.') && !relative(LIB, resolve(dirname(file), spec)).startsWith('..');
        if (!inside && !PURE_PACKAGES.has(spec)) outside.push(`${relative(LIB, file)} -> ${spec}`);
      }
    }
    expect(outside).toEqual([]);
  });
});
