import { execFile } from 'node:child_process';

export interface RunResult {
  ok: boolean;
  stdout: string;
  stderr: string;
  /** Why it failed, in words (not found, timed out, exit code). */
  error: string | null;
  notFound: boolean;
}

/** Runs a tool once with an argument array (never a shell) and a hard time limit. */
export function runOnce(command: string, args: readonly string[], timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 8 << 20, windowsHide: true, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (!err) return resolve({ ok: true, stdout, stderr, error: null, notFound: false });
        const e = err as NodeJS.ErrnoException & { killed?: boolean; code?: number | string };
        const notFound = e.code === 'ENOENT';
        const error = notFound ? `${command} not found`
          : e.killed ? `${command} did not answer within ${timeoutMs} ms`
          : `${command} failed: ${(stderr || stdout || e.message).trim().split('\n')[0]}`;
        resolve({ ok: false, stdout: stdout ?? '', stderr: stderr ?? '', error, notFound });
      });
  });
}
