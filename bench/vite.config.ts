import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

// The benchmark page is its own build (bench/dist/bench), so the app ships no benchmark code.
const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  base: './',
  optimizeDeps: { exclude: ['@sqlite.org/sqlite-wasm'] },
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    outDir: `${here}dist/bench`,
    emptyOutDir: true,
    rollupOptions: { input: `${here}page.html` },
  },
  logLevel: 'warn',
});
