import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { detectFormat, EXPORT_FORMATS, exportConfig, importCommand, type LaunchConfig } from '../../../src/lib/params/index';

const config: LaunchConfig = {
  name: 'qwen',
  args: { '--model': 'C:\\models\\qwen 7b.gguf', '--ctx-size': 8192, '--mmap': false, '--alias': 'say "hi" & 100%', '--api-key': 'SECRET-123', '--hf-token': 'hf_SECRET' },
  extraArgs: ['--x-new', 'v'],
};

describe('secrets', () => {
  it.each(EXPORT_FORMATS.map((f) => f.id))('%s does not write them unless asked', (format) => {
    const out = exportConfig(config, format);
    expect(out.text).not.toContain('SECRET');
    expect(out.warnings.join(' ')).toMatch(/LLAMA_API_KEY/);
    const inlined = exportConfig(config, format, { inlineSecrets: true });
    if (format !== 'cmd' || inlined.errors.length === 0) expect(inlined.text).toContain('SECRET-123');
  });
});

describe('writers', () => {
  it('cmd: a batch file with caret continuations, CRLF, no delayed expansion, and a guard for the secret', () => {
    const out = exportConfig(config, 'cmd');
    expect(out.errors).toEqual([]);
    expect(out.text).toBe(
      '@echo off\r\nsetlocal DisableDelayedExpansion\r\n' +
        'if not defined LLAMA_API_KEY (echo LLAMA_API_KEY is not set: llama-server reads --api-key from it& exit /b 1)\r\n' +
        'if not defined HF_TOKEN (echo HF_TOKEN is not set: llama-server reads --hf-token from it& exit /b 1)\r\n' +
        'llama-server.exe ^\r\n  --model ^"C:\\models\\qwen 7b.gguf^" ^\r\n  --ctx-size 8192 ^\r\n  --no-mmap ^\r\n' +
        '  --alias ^"say \\^"hi\\^" ^& 100%%^" ^\r\n  --x-new v\r\n',
    );
    expect(exportConfig({ args: { '--alias': 'two\nlines' }, extraArgs: [] }, 'cmd').errors).toEqual([
      '--alias: contains a line break, which cmd cannot pass to a program',
    ]);
  });

  it('PowerShell: backtick continuations, single quotes, env reference that fails when unset', () => {
    expect(exportConfig(config, 'powershell').text).toBe(
      "llama-server `\n  --model 'C:\\models\\qwen 7b.gguf' `\n  --ctx-size 8192 `\n  --no-mmap `\n" +
        "  --alias 'say \"hi\" & 100%' `\n  --api-key ($env:LLAMA_API_KEY ?? $(throw 'LLAMA_API_KEY is not set')) `\n" +
        "  --hf-token ($env:HF_TOKEN ?? $(throw 'HF_TOKEN is not set')) `\n  --x-new v\n",
    );
  });

  it('systemd: quoted ExecStart, EnvironmentFile for secrets, restart on failure', () => {
    const out = exportConfig({ ...config, args: { ...config.args, '--model': '/srv/m.gguf' } }, 'systemd');
    expect(out.filename).toBe('qwen.service');
    expect(out.text).toContain('EnvironmentFile=/etc/llama-server/secrets.env\n');
    expect(out.text).toContain('ExecStart="/usr/local/bin/llama-server" \\\n  "--model" "/srv/m.gguf" \\\n  "--ctx-size" "8192" \\\n  "--no-mmap" \\\n  "--alias" "say \\"hi\\" & 100%%" \\\n  "--x-new" "v"\n');
    expect(out.text).toContain('Restart=on-failure\n');
  });

  it('env file: LLAMA_ARG_ lines, double-quoted, and a list of what has no variable', () => {
    const out = exportConfig({ args: { '--ctx-size': 8192, '--mmap': false, '--alias': 'a "$b"', '--temp': 0.5, '--metrics': true }, extraArgs: [] }, 'env');
    expect(out.text).toBe('# llama-server settings (llama-server reads these variables when the flags are not given)\n' +
      'LLAMA_ARG_CTX_SIZE="8192"\nLLAMA_ARG_MMAP="false"\nLLAMA_ARG_ALIAS="a \\"\\$b\\""\nLLAMA_ARG_ENDPOINT_METRICS="true"\n');
    expect(out.errors).toEqual(['--temp: has no environment variable; pass it on the command line']);
  });

  it('preset INI: version, section, long names without dashes; refuses what the format cannot hold', () => {
    const out = exportConfig({ name: 'tiny', args: { '--model': '/m/t.gguf', '--temp': 0.5, '--metrics': true, '--mmap': false, 'stop-timeout': 5, '--port': 1 }, extraArgs: [] }, 'preset-ini');
    expect(out.text).toBe('version = 1\n\n[tiny]\nmodel = /m/t.gguf\ntemp = 0.5\nmetrics = true\nmmap = false\nstop-timeout = 5\n');
    expect(out.warnings).toEqual(['--port: the router assigns each model its own address; left out']);
    expect(exportConfig({ args: { '--alias': 'a;b', '--chat-template-kwargs': ' x' }, extraArgs: ['-z'] }, 'preset-ini').errors).toHaveLength(3);
  });

  it('llama-swap: refuses values it would mangle', () => {
    expect(exportConfig({ args: { '--alias': 'a${PORT}' }, extraArgs: [] }, 'llama-swap').errors).toHaveLength(1);
    expect(exportConfig({ args: { '--alias': 'two\nlines' }, extraArgs: [] }, 'llama-swap').errors).toHaveLength(1);
  });
});

describe('readers', () => {
  it('PowerShell with & and a full path, backticks, quotes and $env', () => {
    const r = importCommand("& 'C:\\Program Files\\llama\\llama-server.exe' `\n  -m \"C:\\models\\x.gguf\" `\n  --alias 'it''s' `\n  --api-key $env:LLAMA_API_KEY `\n  -c 4096");
    expect(r.format).toBe('powershell');
    expect(r.program).toBe('C:\\Program Files\\llama\\llama-server.exe');
    expect(r.args).toEqual({ '--model': 'C:\\models\\x.gguf', '--alias': "it's", '--ctx-size': 4096 });
    expect(r.secretRefs).toEqual({ '--api-key': 'LLAMA_API_KEY' });
  });

  it.each(['posix', 'posix-multiline', 'powershell'] as const)('%s: a secret written as a reference comes back as that reference', (format) => {
    const r = importCommand(exportConfig(config, format).text);
    expect(r.args).toEqual({ '--model': 'C:\\models\\qwen 7b.gguf', '--ctx-size': 8192, '--mmap': false, '--alias': 'say "hi" & 100%' });
    expect(r.secretRefs).toEqual({ '--api-key': 'LLAMA_API_KEY', '--hf-token': 'HF_TOKEN' });
    expect(r.extraArgs).toEqual(['--x-new', 'v']);
  });

  it('the preset the router reports for a model (captured from b10573)', () => {
    const body = JSON.parse(readFileSync(new URL('../../fixtures/llama-server/router/models-0-initial.body.json', import.meta.url), 'utf8'));
    const preset = body.data.find((m: { id: string }) => m.id === 'tiny-preset').status.preset as string;
    const r = importCommand(preset);
    expect(r.format).toBe('preset-ini');
    expect(r.name).toBe('tiny-preset');
    expect(r.args).toEqual({
      '--metrics': true, '--temp': 0.5, '--ctx-size': 4096, '--model': '/srv/llms/models/tiny.gguf', '--parallel': 2,
      'load-on-startup': false, 'stop-timeout': 5,
    });
  });

  it('a preset file with [*] globals, negated keys, env names and comments', () => {
    const r = importCommand('version = 1\n; comment\n[*]\nctx-size = 0\nno-mmap = true\n\n[qwen]\nLLAMA_ARG_N_PARALLEL = 4\nhf = org/m:Q4_K_M ; trailing comment\nbogus-key = 1\n[other]\nmodel = x\n');
    expect(r.name).toBe('qwen');
    expect(r.args).toEqual({ '--ctx-size': 0, '--mmap': false, '--parallel': 4, '--hf-repo': 'org/m:Q4_K_M' });
    expect(r.extraArgs).toEqual(['--bogus-key', '1']);
    expect(r.warnings.join('\n')).toMatch(/\[other\] is another model/);
  });

  it('a llama-swap config with comments, continuations and macros', () => {
    const yaml = `macros:\n  ctx: 4096\nmodels:\n  "qwen-7b":\n    # a comment\n    cmd: |\n      /opt/llama/llama-server\n      # -fa on\n      --port \${PORT} -m /m/q.gguf \\\n      --alias "q 7"\n    proxy: http://127.0.0.1:\${PORT}\n    env:\n      - "LLAMA_API_KEY=\${env.LLAMA_API_KEY}"\n      - "CUDA_VISIBLE_DEVICES=0"\n  other:\n    cmd: llama-server -m /m/o.gguf\n`;
    const r = importCommand(yaml);
    expect(r.format).toBe('llama-swap');
    expect(r.name).toBe('qwen-7b');
    expect(r.program).toBe('/opt/llama/llama-server');
    expect(r.args).toEqual({ '--model': '/m/q.gguf', '--alias': 'q 7' });
    expect(r.secretRefs).toEqual({ '--api-key': 'LLAMA_API_KEY' });
    expect(r.env).toEqual({ CUDA_VISIBLE_DEVICES: '0' });
    expect(r.warnings).toEqual(expect.arrayContaining(['model other was not imported', '--port is assigned by llama-swap (${PORT})']));
  });

  it.each([
    ['llama-server -m x.gguf', 'posix'],
    ['./llama-server \\\n  -m x.gguf', 'posix'],
    ["llama-server.exe `\n  -m 'x.gguf'", 'powershell'],
    ['LLAMA_ARG_CTX_SIZE=4096\nexport LLAMA_ARG_MODEL="/m/x.gguf"\n', 'env'],
    ['[model]\nctx-size = 1\n', 'preset-ini'],
    ['models:\n  m:\n    cmd: llama-server -m x\n', 'llama-swap'],
  ])('detects %j as %s', (text, format) => {
    expect(detectFormat(text)).toBe(format);
  });
});
