import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('../../../scripts/check-tools.mjs', import.meta.url));
const empty = mkdtempSync(join(tmpdir(), 'check-tools-'));
chmodSync(empty, 0o755);
symlinkSync(process.execPath, join(empty, 'node'));
afterAll(() => rmSync(empty, { recursive: true, force: true }));

// As root, the check would install what is missing: run it as `nobody` so the refusal path is the
// one a developer without root sees.
const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};

function check(env: Record<string, string>) {
  return spawnSync(process.execPath, [script], { env, encoding: 'utf8', cwd: empty, ...asUser });
}

describe('scripts/check-tools.mjs (first step of npm test)', () => {
  it('stops with one message naming every missing tool and the command that installs it', () => {
    const r = check({ PATH: empty, CHROMIUM_PATH: join(empty, 'chromium'), LLAMADASH_NO_INSTALL: '1' });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    for (const tool of ['chromium', 'promtool', 'bash', 'dash', 'yq']) expect(r.stderr).toMatch(new RegExp(`^  ${tool} +\\S`, 'm'));
    expect(r.stderr).toMatch(/promtool .*package prometheus/);
    expect(r.stderr).toContain('sudo apt-get update && sudo apt-get install -y --no-install-recommends chromium prometheus bash dash yq');
    expect(r.stderr.match(/npm test needs/g)).toHaveLength(1);
  });

  it('names only what is missing: a Chromium elsewhere, through CHROMIUM_PATH, counts', () => {
    const r = check({ PATH: empty, CHROMIUM_PATH: process.execPath, LLAMADASH_NO_INSTALL: '1' });
    expect(r.status).toBe(1);
    expect(r.stderr).not.toMatch(/^  chromium/m);
    expect(r.stderr).toContain('--no-install-recommends prometheus bash dash yq\n');
  });

  it('passes silently when every tool is there', () => {
    const r = check({ PATH: process.env.PATH ?? '', LLAMADASH_NO_INSTALL: '1' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('');
    expect(r.status).toBe(0);
  });
});
