import os from 'node:os';
import { IOREG_ARGS, parseIoreg } from '../src/lib/gpu-apple-ioreg';
import type { GpuSample } from '../src/lib/gpu-sample';
import type { GpuSourceStatus } from '../src/lib/host-snapshot';
import { runOnce } from './run-once';

/**
 * macOS GPUs through `ioreg` (no sudo). ioreg has no streaming mode, so it runs once per sample,
 * never two at a time; the previous reading is served while one is in flight.
 */
export class AppleSource {
  #rows: GpuSample[] = [];
  #busy = false;
  #status: GpuSourceStatus = { name: 'ioreg', state: 'starting', message: null, restarts: 0 };

  status(): GpuSourceStatus {
    return { ...this.#status };
  }

  read(): GpuSample[] {
    if (!this.#busy) {
      this.#busy = true;
      void runOnce('/usr/sbin/ioreg', IOREG_ARGS, 5000).then((r) => {
        this.#busy = false;
        if (!r.ok) {
          this.#status = { ...this.#status, state: r.notFound ? 'absent' : 'error', message: r.error };
          return;
        }
        this.#rows = parseIoreg(r.stdout, os.totalmem());
        this.#status = { ...this.#status, state: this.#rows.length ? 'ok' : 'absent', message: this.#rows.length ? null : 'no GPU statistics in ioreg' };
      });
    }
    return this.#rows;
  }
}
