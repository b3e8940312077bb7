import { spawn, type ChildProcess } from 'node:child_process';
import {
  NVIDIA_FIELDS, NVIDIA_REQUIRED_FIELDS, isUnknownFieldError, parseNvidiaCsv, parseNvidiaLine, parseNvidiaList,
} from '../src/lib/gpu-nvidia-csv';
import type { GpuSample, MigDevice } from '../src/lib/gpu-sample';
import type { GpuSourceStatus } from '../src/lib/host-snapshot';
import { runOnce } from './run-once';

const MAX_BACKOFF_MS = 60_000;
/** A stream that produced rows for this long counts as healthy: the next failure restarts fast again. */
const HEALTHY_MS = 30_000;
/** Streams that gave no row while a one-shot query did, before we stop streaming. */
const STREAM_FAILURES_BEFORE_ONESHOT = 2;

/**
 * NVIDIA GPUs through one long-running `nvidia-smi --query-gpu=... -lms N`: a single process for
 * the exporter's lifetime instead of one spawn per sample. It is restarted with exponential
 * backoff when it exits, killed and restarted when it stops printing (a hung driver call). When a
 * stream gives nothing, a one-shot query fills in; if that keeps working while streaming keeps
 * failing, the source stays with one-shot queries until the exporter restarts.
 */
export class NvidiaSource {
  readonly #command: string;
  readonly #intervalMs: number;
  readonly #stallMs: number;
  #fields: readonly string[] = NVIDIA_FIELDS;
  #child: ChildProcess | null = null;
  #rows = new Map<number, { gpu: GpuSample; at: number }>();
  #mig = new Map<number, MigDevice[]>();
  #migFetched = false;
  #startedAt = 0;
  #lastRowAt = 0;
  #rowsThisRun = 0;
  #streamOnlyFailures = 0;
  #lastError: string | null = null;
  #backoffMs = 1000;
  #restartTimer: NodeJS.Timeout | null = null;
  #watchdog: NodeJS.Timeout | null = null;
  #oneshot = false;
  #oneshotBusy = false;
  #nextOneshotAt = 0;
  #stopped = false;
  #status: GpuSourceStatus = { name: 'nvidia-smi', state: 'starting', message: null, restarts: 0 };
  #stderr = '';

  constructor(command: string, intervalMs: number) {
    this.#command = command;
    this.#intervalMs = intervalMs;
    this.#stallMs = Math.max(5 * intervalMs, 5000);
  }

  start(): void {
    this.#spawnStream();
    this.#watchdog = setInterval(() => this.#checkStall(), Math.min(this.#intervalMs, 1000));
  }

  /** Kills the child; the exporter calls this on exit so no nvidia-smi is left behind. */
  stop(): void {
    this.#stopped = true;
    if (this.#restartTimer) clearTimeout(this.#restartTimer);
    if (this.#watchdog) clearInterval(this.#watchdog);
    this.#child?.kill('SIGKILL');
    this.#child = null;
  }

  status(): GpuSourceStatus {
    return { ...this.#status };
  }

  /** Latest row per GPU, leaving out rows older than the stall limit (the stream is not reporting). */
  latest(now = Date.now()): GpuSample[] {
    if (this.#oneshot) this.#maybeOneshot(now);
    const out: GpuSample[] = [];
    for (const [index, r] of this.#rows) {
      if (now - r.at > this.#stallMs) continue;
      out.push({ ...r.gpu, migDevices: this.#mig.get(index) ?? [] });
    }
    return out.sort((a, b) => a.index - b.index);
  }

  #spawnStream(): void {
    if (this.#stopped) return;
    const args = [`--query-gpu=${this.#fields.join(',')}`, '--format=csv,noheader,nounits', '-lms', String(this.#intervalMs)];
    const child = spawn(this.#command, args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    this.#child = child;
    this.#startedAt = Date.now();
    this.#lastRowAt = 0;
    this.#rowsThisRun = 0;
    this.#stderr = '';
    this.#migFetched = false;
    let pending = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split(/\r?\n/);
      pending = lines.pop() ?? '';
      for (const line of lines) this.#onLine(line);
    });
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => (this.#stderr = (this.#stderr + chunk).slice(-2000)));
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') this.#setStatus('absent', `${this.#command} not found`);
      else this.#setStatus('error', `cannot run ${this.#command}: ${err.message}`);
    });
    child.on('close', (code, signal) => this.#onExit(child, code, signal));
  }

  #onLine(line: string): void {
    if (line.trim() === '') return;
    const gpu = parseNvidiaLine(line, this.#fields);
    if (!gpu) {
      this.#stderr = (this.#stderr + line + '\n').slice(-2000);
      return;
    }
    const now = Date.now();
    this.#rows.set(gpu.index, { gpu, at: now });
    this.#lastRowAt = now;
    this.#rowsThisRun++;
    this.#streamOnlyFailures = 0;
    if (now - this.#startedAt >= HEALTHY_MS) this.#backoffMs = 1000;
    if (this.#status.state !== 'ok') this.#setStatus('ok', null);
    if (gpu.migMode && !this.#migFetched) void this.#fetchMig();
  }

  #onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.#child === child) this.#child = null;
    // Readings of a dead stream are no longer current: serve no GPU rather than frozen values.
    this.#rows.clear();
    if (this.#stopped || this.#status.state === 'absent') return;
    const said = this.#stderr.trim().split('\n').pop() ?? '';
    if (isUnknownFieldError(this.#stderr) && this.#fields.length > NVIDIA_REQUIRED_FIELDS.length) {
      // Older drivers refuse newer field names: ask only for the ones every driver knows.
      this.#fields = NVIDIA_REQUIRED_FIELDS;
      this.#setStatus('restarting', 'this driver lacks some optional fields; querying the basic set');
      this.#spawnStream();
      return;
    }
    if (Date.now() - this.#startedAt >= HEALTHY_MS && this.#rowsThisRun > 0) this.#backoffMs = 1000;
    const why = signal ? `was stopped by ${signal}` : `exited with code ${code}`;
    const delay = this.#backoffMs;
    this.#backoffMs = Math.min(MAX_BACKOFF_MS, this.#backoffMs * 2);
    this.#setStatus('restarting', `nvidia-smi ${why}${said ? `: ${said}` : ''}; restarting in ${Math.round(delay / 1000)} s`);
    this.#restartTimer = setTimeout(() => {
      this.#status.restarts++;
      this.#spawnStream();
    }, delay);
    if (this.#rowsThisRun === 0) void this.#probe();
  }

  /**
   * After a stream that gave no row: does a one-shot query work? Its rows keep the GPUs on screen
   * while the stream restarts, and when streaming alone keeps failing we stop streaming.
   */
  async #probe(): Promise<void> {
    const rows = await this.#queryOnce();
    if (this.#stopped || this.#child) return;
    if (rows === 0) {
      this.#streamOnlyFailures = 0;
      return;
    }
    if (++this.#streamOnlyFailures >= STREAM_FAILURES_BEFORE_ONESHOT) {
      if (this.#restartTimer) clearTimeout(this.#restartTimer);
      this.#oneshot = true;
      this.#backoffMs = 1000;
      this.#setStatus('oneshot', 'nvidia-smi -lms gives no rows here but single queries work; querying once per sample');
    }
  }

  /** One `nvidia-smi --query-gpu` run; stores its rows and returns how many GPUs it reported. */
  async #queryOnce(): Promise<number> {
    const args = [`--query-gpu=${this.#fields.join(',')}`, '--format=csv,noheader,nounits'];
    const r = await runOnce(this.#command, args, Math.max(this.#stallMs, 10_000));
    const parsed = parseNvidiaCsv(r.stdout, this.#fields);
    const at = Date.now();
    for (const gpu of parsed.gpus) this.#rows.set(gpu.index, { gpu, at });
    this.#lastError = r.error ?? parsed.errors[0] ?? (parsed.gpus.length ? null : 'nvidia-smi printed no GPU rows');
    if (parsed.gpus.some((g) => g.migMode) && !this.#migFetched) void this.#fetchMig();
    return parsed.gpus.length;
  }

  #checkStall(): void {
    if (!this.#child || this.#stopped) return;
    const since = this.#lastRowAt || this.#startedAt;
    // The first row can take seconds on a driver without persistence mode, hence the longer grace.
    const limit = this.#lastRowAt ? this.#stallMs : Math.max(this.#stallMs, 15_000);
    if (Date.now() - since > limit) {
      this.#stderr += `no output for ${Math.round((Date.now() - since) / 1000)} s (hung)\n`;
      this.#child.kill('SIGKILL');
    }
  }

  #maybeOneshot(now: number): void {
    if (this.#oneshotBusy || now < this.#nextOneshotAt || this.#stopped) return;
    this.#oneshotBusy = true;
    void this.#queryOnce().then((n) => {
      this.#oneshotBusy = false;
      if (n === 0) {
        this.#nextOneshotAt = Date.now() + this.#backoffMs;
        this.#backoffMs = Math.min(MAX_BACKOFF_MS, this.#backoffMs * 2);
      } else {
        this.#backoffMs = 1000;
      }
      this.#setStatus('oneshot', n === 0 ? this.#lastError : null);
    });
  }

  async #fetchMig(): Promise<void> {
    this.#migFetched = true;
    const r = await runOnce(this.#command, ['-L'], 10_000);
    if (r.ok) this.#mig = parseNvidiaList(r.stdout);
  }

  #setStatus(state: GpuSourceStatus['state'], message: string | null): void {
    this.#status = { ...this.#status, state, message };
  }
}
