import os from 'node:os';
import type { GpuSample } from '../src/lib/gpu-sample';
import { assignGpuIds, snapshotSeries, type ExporterSnapshot, type GpuSourceStatus } from '../src/lib/host-snapshot';
import { AmdSource } from './amd';
import { AppleSource } from './apple';
import { findTool } from './find-tool';
import { History } from './history';
import { HostReader } from './host';
import { NvidiaSource } from './nvidia';
import type { ExporterOptions } from './options';

/**
 * Takes a sample every interval on its own timer and keeps the latest snapshot plus a ring of
 * history. HTTP handlers only read what is here: a request never starts a process.
 */
export class Sampler {
  readonly history: History;
  readonly host: HostReader;
  latest: ExporterSnapshot | null = null;
  readonly #o: ExporterOptions;
  readonly #version: string;
  readonly #nvidia: NvidiaSource | null = null;
  readonly #nvidiaAbsent: GpuSourceStatus | null = null;
  readonly #amd: AmdSource | null = null;
  readonly #apple: AppleSource | null = null;
  #timer: NodeJS.Timeout | null = null;
  #busy = false;
  #stopped = false;
  readonly #listeners = new Set<(s: ExporterSnapshot) => void>();

  constructor(options: ExporterOptions, version: string) {
    this.#o = options;
    this.#version = version;
    this.history = new History(options.historyMs, options.intervalMs);
    this.host = new HostReader(options.diskPaths);
    if (options.nvidiaSmi !== 'off' && process.platform !== 'darwin') {
      const command = options.nvidiaSmi ?? findTool('nvidia-smi');
      if (command) this.#nvidia = new NvidiaSource(command, options.intervalMs);
      else this.#nvidiaAbsent = { name: 'nvidia-smi', state: 'absent', message: 'nvidia-smi not found (no NVIDIA driver)', restarts: 0 };
    }
    if (process.platform === 'linux') this.#amd = new AmdSource(options.sysfsRoot, options.intervalMs);
    if (process.platform === 'darwin') this.#apple = new AppleSource();
  }

  /** Starts the sources and the timer; resolves once the first sample is in. */
  async start(): Promise<void> {
    this.#nvidia?.start();
    /** The multiple of the interval the next sample is for. */
    let due = 0;
    const loop = async () => {
      await this.tick();
      if (this.#stopped) return;
      // On the wall clock's multiples of the interval, where a dashboard polling at that interval ticks
      // too (collect/tick-clock.ts): a streamed line then reaches it while it is awake for that tick,
      // rather than waking it once more in between. A timer may fire a millisecond early: the next
      // sample is for the multiple after the one just served, not for that one again.
      const every = this.#o.intervalMs;
      const now = Date.now();
      due = Math.max(due + every, now - (now % every) + every);
      this.#timer = setTimeout(loop, due - now);
    };
    // The first sample is taken at once (its CPU figure is null: there is no earlier reading yet).
    await loop();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#nvidia?.stop();
  }

  /** One sample: host figures and every GPU source's latest rows, then into the history ring. */
  async tick(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      const ts = Date.now();
      const gpus: GpuSample[] = [];
      if (this.#nvidia) gpus.push(...this.#nvidia.latest(ts));
      if (this.#amd) gpus.push(...(await this.#amd.read()));
      if (this.#apple) gpus.push(...this.#apple.read());
      const host = await this.host.read(ts);
      const snapshot: ExporterSnapshot = {
        version: 1, ts, hostname: os.hostname(), platform: process.platform, exporterVersion: this.#version,
        intervalMs: this.#o.intervalMs, host, gpus: assignGpuIds(gpus), sources: this.sources(),
      };
      this.latest = snapshot;
      this.history.push(ts, snapshotSeries(snapshot));
      for (const fn of this.#listeners) fn(snapshot);
    } finally {
      this.#busy = false;
    }
  }

  /** Calls `fn` with each new sample (the snapshot streams); returns the function that stops it. */
  onSample(fn: (s: ExporterSnapshot) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  sources(): GpuSourceStatus[] {
    const out: GpuSourceStatus[] = [];
    if (this.#nvidia) out.push(this.#nvidia.status());
    if (this.#nvidiaAbsent) out.push(this.#nvidiaAbsent);
    if (this.#amd) out.push(this.#amd.status());
    if (this.#apple) out.push(this.#apple.status());
    return out;
  }
}
