// The built app served by `vite preview` for the standalone bench scripts, ready once it answers.
import { spawn } from 'node:child_process';

/** Headless Chromium flags of the standalone bench scripts (npm run bench passes Playwright's own). */
export const BENCH_CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Serves `outDir` (relative to `root`) on 127.0.0.1:`port`; resolves with the child once the page answers. */
export async function startPreview(root, outDir, port) {
  const child = spawn(process.execPath, [`${root}node_modules/vite/bin/vite.js`, 'preview', '--outDir', outDir, '--host', '127.0.0.1', '--port', String(port), '--strictPort'], { cwd: root, stdio: 'ignore' });
  for (let tries = 0; ; tries++) {
    try {
      await fetch(`http://127.0.0.1:${port}/`);
      return child;
    } catch (e) {
      if (tries > 100) {
        child.kill();
        throw e;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
