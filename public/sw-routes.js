// Imported by the generated service worker (vite.config.ts, workbox.importScripts). The service worker
// serves the app's own files; the requests that poll the user's servers skip it, so that a poll does not
// wake it and pass through it every second. Browsers without static routes send them through it, as before.
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
