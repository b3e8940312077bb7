import * as Comlink from 'comlink';
import type { BenchApi } from './worker';

// The page only starts the worker (like src/state/client.ts) and hands it to the driver (bench/run.mjs).
const bench = Comlink.wrap<BenchApi>(new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' }));
(globalThis as unknown as { bench: typeof bench }).bench = bench;
document.body.dataset.ready = 'true';
