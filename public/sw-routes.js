// Imported by the generated service worker (vite.config.ts, workbox.importScripts). The service worker
// serves the app's own files; requests to the user's servers skip it, so that they do not wake it and pass
// through it. Chromium 156 applies these routes to the page's own requests (Prometheus on the Fleet page,
// a connection test) but not yet to the database worker's polls, which still pass through its fetch event
// (measured: about 0.1 % of a core at 2 requests a second). Browsers without static routes send every
// request through it, as before.
self.addEventListener('install', (event) => {
  if (typeof event.addRoutes !== 'function' || typeof URLPattern !== 'function') return;
  const here = new URL(self.registration.scope);
  const appOrigin = new URLPattern({ protocol: here.protocol.slice(0, -1), hostname: here.hostname, port: here.port });
  // A llama-server that serves the dashboard itself (--path) answers its API on the same origin.
  const serverApi = ['/health', '/metrics', '/slots', '/props', '/models', '/models/*', '/v1/*', '/api/v1/*']
    .map((pathname) => ({ urlPattern: new URLPattern({ pathname }) }));
  event.waitUntil(
    event.addRoutes({ condition: { or: [{ not: { urlPattern: appOrigin } }, ...serverApi] }, source: 'network' })
      .catch((e) => console.warn('Service worker routes not added; every request goes through it.', e)),
  );
});
