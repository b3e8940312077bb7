import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
export const fakeDir = path.join(root, 'tests/fixtures/fake-nvidia-smi');
export const samplesDir = path.join(root, 'tests/fixtures/gpu-samples');

/** Builds the real single-file exporter once per test file, as `npm run build` does. */
export function buildExporter(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'llamadash-exporter-'));
  const out = path.join(dir, 'llama-dash-exporter.mjs');
  const r = spawnSync(process.execPath, [path.join(root, 'scripts/build-exporter.mjs'), '--outfile', out], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`build failed: ${r.stderr}`);
  return out;
}

export interface Running {
  child: ChildProcess;
  base: string;
  output: () => string;
  control: (c: Record<string, unknown>) => void;
  /** Start lines the stand-in nvidia-smi logged: [ms, pid, args]. */
  starts: () => { at: number; pid: number; args: string }[];
  get: (p: string, init?: RequestInit) => Promise<Response>;
  json: <T = any>(p: string) => Promise<T>;
  stop: () => Promise<void>;
}

/** Starts the built exporter as a child process with the stand-in nvidia-smi first on PATH. */
export async function startExporter(file: string, port: number, args: string[] = [], opts: { fake?: boolean; control?: Record<string, unknown>; env?: Record<string, string> } = {}): Promise<Running> {
  const dir = mkdtempSync(path.join(tmpdir(), 'llamadash-fake-'));
  const controlFile = path.join(dir, 'control.json');
  const logFile = path.join(dir, 'starts.log');
  writeFileSync(controlFile, JSON.stringify(opts.control ?? { mode: 'ok', gpus: 1 }));
  const basePath = '/usr/local/bin:/usr/bin:/bin';
  const env = {
    PATH: opts.fake === false ? basePath : `${fakeDir}:${basePath}`,
    FAKE_NVSMI_CONTROL: controlFile, FAKE_NVSMI_LOG: logFile, ...opts.env,
  };
  const child = spawn(process.execPath, [file, '--port', String(port), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  await waitFor(() => out.includes('listening on'), 10_000, () => `exporter did not start: ${out}`);
  const base = `http://127.0.0.1:${port}`;
  return {
    child, base,
    output: () => out,
    control: (c) => writeFileSync(controlFile, JSON.stringify(c)),
    starts: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '').split('\n').filter(Boolean).map((l) => {
      const [, at, pid, ...rest] = l.split(' ');
      return { at: Number(at), pid: Number(pid), args: rest.join(' ') };
    }),
    get: (p, init) => fetch(base + p, init),
    json: async (p) => (await fetch(base + p)).json(),
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      // The exporter must end on SIGTERM by itself; SIGKILL only keeps a failing test from leaving it behind.
      const force = setTimeout(() => child.kill('SIGKILL'), 8000);
      child.once('exit', () => {
        clearTimeout(force);
        resolve();
      });
      child.kill('SIGTERM');
    }),
  };
}

export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, why: () => string = () => 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${why()}`);
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
