import { createServer } from './server';
import { LlamaWatch, watchTargets, type WatchTarget } from './llama-watch';
import { helpText, parseOptions, type ExporterOptions } from './options';
import { Sampler } from './sampler';
import { errorText } from '../src/lib/error-text';

declare const __EXPORTER_VERSION__: string | undefined;
const VERSION = typeof __EXPORTER_VERSION__ === 'string' ? __EXPORTER_VERSION__ : 'dev';

const parsed = parseOptions(process.argv.slice(2), process.env, process.platform);
if (parsed.kind === 'help') {
  process.stdout.write(helpText(VERSION));
} else if (parsed.kind === 'version') {
  process.stdout.write(`${VERSION}\n`);
} else if (parsed.kind === 'error') {
  process.stderr.write(`llama-dash-exporter: ${parsed.message}\n`);
  process.exitCode = 2;
} else {
  await start(parsed.options);
}

async function start(o: ExporterOptions): Promise<void> {
  let targets: WatchTarget[];
  try {
    targets = watchTargets(o);
  } catch (e) {
    process.stderr.write(`llama-dash-exporter: ${errorText(e)}\n`);
    process.exitCode = 2;
    return;
  }
  const watches = targets.map((t) => new LlamaWatch(t, { intervalMs: o.llamaIntervalMs, historyMs: o.llamaHistoryMs }));
  const sampler = new Sampler(o, VERSION);
  const server = createServer(o, sampler, watches);
  const stopAll = () => {
    sampler.stop();
    for (const w of watches) w.stop();
  };
  const shutdown = () => {
    stopAll();
    server.close();
    server.closeAllConnections();
    // Whatever still holds the event loop (a stuck read), Ctrl-C must end the program.
    setTimeout(() => process.exit(0), 3000).unref();
  };
  server.on('error', (e: NodeJS.ErrnoException) => {
    const hint = e.code === 'EADDRINUSE' ? ` (port ${o.port} is taken: choose another with --port)` : '';
    process.stderr.write(`llama-dash-exporter: cannot listen on ${o.host}:${o.port}: ${e.message}${hint}\n`);
    stopAll();
    process.exitCode = 1;
  });
  for (const w of watches) w.start();
  // Listen only once a first sample exists, so no client ever sees an empty exporter.
  await sampler.start();
  server.listen(o.port, o.host, () => {
    const addr = server.address();
    const port = typeof addr === 'object' && addr ? addr.port : o.port;
    const host = o.host.includes(':') ? `[${o.host}]` : o.host;
    const watching = watches.length ? `; watching ${watches.map((w) => w.url).join(', ')} every ${o.llamaIntervalMs} ms` : '';
    process.stdout.write(`llama-dash-exporter ${VERSION} listening on http://${host}:${port} (every ${o.intervalMs} ms${o.token ? ', token required' : ''}${watching})\n`);
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, shutdown);
  // Last line of defence: a child must not outlive us even on an uncaught error.
  process.on('exit', stopAll);
}
