import { describe, expect, it } from 'vitest';
import {
  configToArgv, diffArgs, exportConfig, flattenArgv, getCatalogue, importCommand, parseHelp, stripDefaults, validateConfig,
  type ConfigArgs, type ConfigIssue,
} from '../../../src/lib/params/index';

const M = { '--model': '/m/x.gguf' };
const check = (args: ConfigArgs, extraArgs: string[] = []) => validateConfig({ args, extraArgs });
const pick = (issues: ConfigIssue[], key: string) => issues.filter((i) => i.key === key);

describe('validateConfig: values', () => {
  it('accepts a plain valid configuration', () => {
    expect(check({ ...M, '--ctx-size': 8192, '--flash-attn': 'on', '--jinja': false, '--gpu-layers': 'all', '--temp': 0.7 })).toEqual([]);
  });

  it.each([
    ['--ctx-size', 'lots', /whole number/],
    ['--ctx-size', -5, /at least 0/],
    ['--port', 70000, /at most 65535/],
    ['--top-p', 1.5, /at most 1/],
    ['--threads', -2, /at least -1/],
    ['--temp', 'hot', /must be a number/],
    ['--flash-attn', 'yes', /"yes" is not accepted; use on, off, auto/],
    ['--mirostat', 3, /one of 0, 1, 2/],
    ['--spec-type', 'ngram-mod,bogus', /"bogus" is not accepted/],
    ['--gpu-layers', 'some', /whole number or auto\/all/],
    ['--control-vector-layer-range', '3', /two values/],
    ['--jinja', 'maybe', /on or off/],
    ['--alias', 'a\0b', /NUL/],
  ])('%s = %j is an error', (key, value, message) => {
    const issues = pick(check({ ...M, [key]: value }), key);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ level: 'error', message: expect.stringMatching(message) });
  });

  it('offers a fix for an out-of-range value and a missing enum value', () => {
    expect(pick(check({ ...M, '--port': 0x10000 }), '--port')[0].fix).toEqual({ label: 'set 65535', set: { '--port': 65535 } });
    // An old-style `-fa` without a value, as imported from a command written for an older build.
    const fa = importCommand('llama-server -m x.gguf -fa -c 4096').args;
    expect(fa['--flash-attn']).toBeNull();
    expect(pick(check(fa), '--flash-attn')[0]).toMatchObject({
      level: 'error', message: 'needs a value in this build (on, off, auto)', fix: { set: { '--flash-attn': 'auto' } },
    });
  });
});

describe('validateConfig: across arguments', () => {
  it('wants exactly one model source, unless it is a router', () => {
    expect(pick(check({}), '--model')[0].message).toMatch(/no model/);
    expect(check({ '--models-dir': '/srv/models' })).toEqual([]);
    expect(check({ '--models-preset': '/srv/p.ini', '--models-max': 2 })).toEqual([]);
    expect(check({ '--hf-repo': 'a/b', '--docker-repo': 'gemma3' }).map((i) => i.message)).toContain('choose one model source; --docker-repo and --hf-repo are both set');
    expect(check({ ...M, '--docker-repo': 'gemma3' })[0]).toMatchObject({ level: 'error' });
    expect(check({ ...M, '--hf-repo': 'a/b' })).toEqual([{ key: '--model', level: 'warning', message: expect.stringMatching(/names the file to take from the repository/) }]);
    expect(check({ '--gpt-oss-20b-default': true })).toEqual([]);
    expect(pick(check({ ...M, '--models-max': 2 }), '--models-max')[0].message).toMatch(/router mode/);
  });

  it('keeps --ubatch-size within --batch-size, counting defaults', () => {
    expect(pick(check({ ...M, '--ubatch-size': 4096 }), '--ubatch-size')[0]).toMatchObject({
      level: 'error', fix: { set: { '--ubatch-size': 2048 } },
    });
    expect(pick(check({ ...M, '--batch-size': 256 }), '--batch-size')[0].message).toMatch(/\(512\) must not exceed --batch-size \(256\)/);
    expect(check({ ...M, '--batch-size': 4096, '--ubatch-size': 4096 })).toEqual([]);
  });

  it('wants a draft model for draft settings, and key with certificate', () => {
    expect(pick(check({ ...M, '--spec-draft-ngl': 99 }), '--spec-draft-ngl')[0].message).toMatch(/no draft model/);
    expect(pick(check({ ...M, '--spec-type': 'draft-simple' }), '--spec-type')[0].message).toMatch(/needs a draft model/);
    expect(check({ ...M, '--spec-type': 'draft-simple', '--spec-draft-model': 'd.gguf', '--spec-draft-ngl': 99 })).toEqual([]);
    expect(check({ ...M, '--spec-type': 'ngram-mod', '--spec-draft-n-max': 8 })).toEqual([]);
    expect(pick(check({ ...M, '--ssl-key-file': 'k.pem' }), '--ssl-cert-file')[0].message).toMatch(/both/);
  });

  it('warns about an open server without a key, port 0 and known flags hidden in extra args', () => {
    const issues = check({ ...M, '--host': '0.0.0.0', '--port': 0 }, ['-c', '4096']);
    expect(issues.map((i) => i.level)).toEqual(['warning', 'warning', 'warning']);
    expect(check({ ...M, '--host': '0.0.0.0', '--api-key': 'k' })).toEqual([]);
  });

  it('flags deprecated and removed arguments with their replacement', () => {
    expect(pick(check({ ...M, '--direct-io': true }), '--direct-io')[0]).toMatchObject({
      level: 'warning', fix: { label: 'use --load-mode dio', set: { '--load-mode': 'dio' }, remove: ['--direct-io'] },
    });
    expect(pick(check({ ...M, '--mmap': false }), '--mmap')[0].fix).toMatchObject({ set: { '--load-mode': 'none' } });
    expect(pick(check({ ...M, '--draft': 8 }), '--draft')[0]).toMatchObject({
      level: 'error', message: 'b10573 no longer accepts --draft', fix: { set: { '--spec-draft-n-max': 8 } },
    });
  });
});

// An older build, as a user would paste its help (text written for this test).
const OLD = parseHelp(`----- common params -----

-m,    --model FNAME                    model file
-fa,   --flash-attn                     turn on flash attention (default: disabled)
-dio,  --direct-io, -ndio, --no-direct-io
                                        read with direct I/O (default: disabled)
--port PORT                             port (default: 8080)

----- example-specific params -----

--no-webui                              do not serve the web UI
`, { build: 'b5000' });

describe('validateConfig against another build', () => {
  it('reports flags that build lacks or takes differently, with the fix', () => {
    const issues = validateConfig({ args: { ...M, '--flash-attn': 'on', '--ctx-size': 4096, '--ui': false, '--load-mode': 'dio' } }, OLD);
    expect(pick(issues, '--flash-attn')[0]).toMatchObject({ level: 'error', fix: { set: { '--flash-attn': true } } });
    expect(pick(issues, '--ctx-size')[0]).toMatchObject({ level: 'error', message: 'b5000 has no --ctx-size' });
    expect(pick(issues, '--load-mode')[0]).toMatchObject({ message: 'b5000 has no --load-mode' });
    expect(pick(issues, '--ui')[0]).toMatchObject({ level: 'warning', message: '--ui is called --no-webui (negated) in b5000' });
  });

  it('flags an old configuration checked against the current build', () => {
    const old = { ...M, '--flash-attn': true, '--no-webui': true, '--direct-io': true };
    const issues = validateConfig({ args: old }, getCatalogue(), { from: OLD });
    expect(pick(issues, '--flash-attn')[0]).toMatchObject({ level: 'error', message: expect.stringMatching(/on, off, auto/) });
    expect(pick(issues, '--no-webui')[0]).toMatchObject({ message: '--no-webui is called --ui (negated) in b10573', fix: { set: { '--ui': false }, remove: ['--no-webui'] } });
    expect(pick(issues, '--direct-io')[0].fix).toMatchObject({ set: { '--load-mode': 'dio' } });
    expect(flattenArgv(configToArgv({ args: { '--no-webui': true }, extraArgs: [] }, { from: OLD }).items)).toEqual(['--no-ui']);
  });

  it('writes commands with the spellings of the target build', () => {
    const out = exportConfig({ args: { ...M, '--ui': false, '--flash-attn': true }, extraArgs: [] }, 'posix', { catalogue: OLD });
    expect(out.text).toBe('llama-server --model /m/x.gguf --no-webui --flash-attn\n');
  });
});

describe('defaults', () => {
  it('stores only what differs from the default', () => {
    expect(stripDefaults({ '--ctx-size': 0, '--temp': '0.80', '--top-k': 40, '--mmap': false, '--metrics': false, '--cont-batching': true, '--port': 8081, '--x': 1 }))
      .toEqual({ '--mmap': false, '--port': 8081, '--x': 1 });
  });

  it('compares configurations by the values in effect', () => {
    expect(diffArgs({ '--ctx-size': 4096, '--temp': 0.8 }, { '--ctx-size': '4096', '--top-k': 20 })).toEqual([{ key: '--top-k', a: 40, b: 20 }]);
  });
});
