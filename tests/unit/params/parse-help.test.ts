import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findArg, getCatalogue, parseHelp, type ArgSpec } from '../../../src/lib/params/index';

const help = readFileSync(new URL('../../fixtures/llama-server/help.txt', import.meta.url), 'utf8');
const builtin = getCatalogue();
const facts = (a: ArgSpec) => ({
  key: a.key, flags: a.flags, negated: a.negated, type: a.type, env: a.env, group: a.group,
  values: a.values, defaultText: a.defaultText, default: a.default,
});

describe('parseHelp over the captured b10573 help', () => {
  it('gives the built-in catalogue: flags, negations, types, values, env vars, groups, defaults', () => {
    const parsed = parseHelp(help, { build: 'b10573' });
    expect(parsed.build).toBe('b10573');
    expect(parsed.source).toBe('help');
    const byKey = (c: { args: ArgSpec[] }) => c.args.map(facts).sort((a, b) => a.key.localeCompare(b.key));
    expect(byKey(parsed)).toEqual(byKey(builtin));
  });

  it('reads the text alone the same way, except where help shows only a bare N', () => {
    const parsed = parseHelp(help, { base: null });
    expect(parsed.args).toHaveLength(248);
    const differing: string[] = [];
    for (const a of parsed.args) {
      const b = findArg(builtin, a.key)!.spec;
      expect({ flags: a.flags, negated: a.negated, env: a.env, group: a.group }).toEqual({
        flags: b.flags, negated: b.negated, env: b.env, group: b.group,
      });
      if (a.type !== b.type) differing.push(`${a.key}:${a.type}->${b.type}`);
    }
    // float/string behind "N" cannot be told from the text; the built-in catalogue settles these.
    expect(differing).toEqual([
      '--rope-scale:int->float', '--rope-freq-base:int->float', '--rope-freq-scale:int->float', '--defrag-thold:int->string',
    ]);
  });
});

// Help of an imagined older build, written for this test in the layout llama-server uses.
const OLD_HELP = `----- common params -----

-c,    --ctx-size N                     context length in tokens (default: 4096)
                                        (env: LLAMA_ARG_CTX_SIZE)
-fa,   --flash-attn                     turn on flash attention (default: disabled)
                                        (env: LLAMA_ARG_FLASH_ATTN)
--mlock                                 keep the model in RAM
-dio,  --direct-io, -ndio, --no-direct-io
                                        read with direct I/O (default: disabled)
                                        (env: LLAMA_ARG_DIO)
--dry-run-extra X                       a flag this app never heard of

----- example-specific params -----

--no-webui                              do not serve the web UI
                                        (env: LLAMA_ARG_NO_WEBUI)
--port PORT                             TCP port (default: 8080)
                                        (env: LLAMA_ARG_PORT)
`;

describe('parseHelp over another build', () => {
  const old = parseHelp(OLD_HELP, { build: 'b4000' });

  it('keeps what that build says even where the built-in catalogue differs', () => {
    expect(findArg(old, '-fa')!.spec).toMatchObject({ key: '--flash-attn', type: 'flag', default: false });
    expect(findArg(old, '--no-webui')!.spec).toMatchObject({ type: 'flag', negated: [], env: 'LLAMA_ARG_NO_WEBUI', group: 'server' });
    expect(findArg(old, '--ndio')).toBeNull();
    expect(findArg(old, '-ndio')).toMatchObject({ spec: { key: '--direct-io', type: 'bool' }, negated: true });
    expect(findArg(old, '--ctx-size')!.spec).toMatchObject({ default: 4096, min: 0 });
    expect(findArg(old, '--port')!.spec).toMatchObject({ type: 'int', min: 0, max: 65535, default: 8080 });
  });

  it('describes flags the app does not know from the pasted text itself', () => {
    expect(findArg(old, '--dry-run-extra')!.spec).toMatchObject({ type: 'string', description: 'a flag this app never heard of' });
    expect(findArg(old, '--ctx-size')!.spec.description).toBe(findArg(builtin, '--ctx-size')!.spec.description);
  });
});
