import { defineConfig, type Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { VitePWA } from 'vite-plugin-pwa';

/**
 * The page's Content-Security-Policy. Everything it loads is its own; it fetches from any http(s)
 * server because the user's llama-servers and exporters live anywhere. No inline styles: the build
 * has none (Svelte's style: directives and uPlot set styles through the CSSOM, which CSP leaves alone).
 * 'wasm-unsafe-eval' is for sqlite-wasm, which compiles in the database worker: the same policy sent as
 * a header (README, Hosting it yourself) governs that worker too. A meta tag cannot carry
 * frame-ancestors and does not reach workers.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'", "script-src 'self' 'wasm-unsafe-eval'", "worker-src 'self'", "connect-src 'self' http: https:",
  "img-src 'self' data: blob:", "style-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'none'",
].join('; ');

/** Puts the policy into the built index.html only: `vite dev` needs inline scripts and ws: for its reloads. */
function contentSecurityPolicy(): Plugin {
  return {
    name: 'llama-dash-csp',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(html) {
        // Right after the charset, so the policy governs every tag the page has, the injected ones included.
        const tag = `<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}" />`;
        const out = html.replace(/(<meta charset="UTF-8" \/>)/i, `$1\n    ${tag}`);
        if (out === html) throw new Error('index.html has no <meta charset="UTF-8" /> to put the Content-Security-Policy after');
        return out;
      },
    },
  };
}

// base './' keeps every asset URL relative, so dist/ works from any sub-path
// (llama-server --path, GitHub Pages, a plain file server) without a rebuild.
/**
 * Names this build in the tabs' protocol (src/worker/build-id.ts): tabs of two deploys open side by side
 * see that they differ. LLAMADASH_BUILD_ID sets it; otherwise the version and the build's time.
 */
const BUILD_ID = process.env.LLAMADASH_BUILD_ID ?? `${process.env.npm_package_version ?? '0'}-${Date.now().toString(36)}`;

export default defineConfig({
  define: { __LLAMADASH_BUILD__: JSON.stringify(`llamadash-build:${BUILD_ID}`) },
  base: './',
  plugins: [
    svelte(),
    contentSecurityPolicy(),
    VitePWA({
      // 'prompt': a new build waits until the user chooses Reload (src/state/app-update.svelte.ts), so it
      // never replaces the running one under the user's feet or in the middle of a write.
      registerType: 'prompt',
      injectRegister: false,
      includeAssets: ['favicon.svg', 'icon-*.png', 'exporter/*'],
      manifest: {
        name: 'Llama Dashboard',
        short_name: 'Llama Dash',
        description: 'Live metrics, history and launch commands for llama.cpp llama-server',
        theme_color: '#1f2430',
        background_color: '#1f2430',
        display: 'standalone',
        start_url: './',
        scope: './',
        // Chromium's install criteria want PNGs of 192 and 512 px; the maskable one keeps the mark in the
        // safe zone (scripts/make-icons.mjs draws all three from favicon.svg).
        icons: [
          { src: 'favicon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' },
          { src: 'icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: 'icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          { src: 'icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      workbox: {
        globPatterns: ['**/*.{js,css,html,svg,png,wasm,webmanifest}'],
        // sqlite-wasm's package emits its Worker1 API and the plain `opfs` VFS proxy; the app loads
        // neither (it uses oo1 on opfs-sahpool), so installs should not download them (75 kB gzip).
        globIgnores: ['**/sqlite3-worker1-*.js', '**/sqlite3-opfs-async-proxy-*.js'],
        // sqlite3.wasm is ~900 kB; the default 2 MiB cap is fine but state it so a bigger build fails loudly.
        maximumFileSizeToCacheInBytes: 4 * 1024 * 1024,
        navigateFallback: null,
        // Requests to the user's servers bypass the service worker where the browser allows (public/sw-routes.js).
        importScripts: ['sw-routes.js'],
      },
    }),
  ],
  optimizeDeps: { exclude: ['@sqlite.org/sqlite-wasm'] },
  worker: { format: 'es' },
  build: { target: 'es2022', sourcemap: false },
  preview: { port: Number(process.env.PORT ?? 4173), strictPort: true },
});
