import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * Where to look for a vendor tool: PATH first (with PATHEXT on Windows), then the folders the
 * drivers install into, because services and scheduled tasks often run with a bare PATH.
 */
export function toolCandidates(tool: string, platform: string, env: Record<string, string | undefined>): string[] {
  const win = platform === 'win32';
  const sep = win ? ';' : ':';
  const join = win ? path.win32.join : path.posix.join;
  const exts = win ? (env.PATHEXT ?? '.EXE').split(';').filter(Boolean).map((e) => e.toLowerCase()) : [''];
  const names = win ? exts.map((e) => tool + e) : [tool];
  const dirs = (env.PATH ?? env.Path ?? '').split(sep).filter(Boolean);
  const out: string[] = [];
  for (const d of dirs) for (const n of names) out.push(join(d, n));
  if (tool === 'nvidia-smi') {
    if (win) {
      const pf = env.ProgramW6432 ?? env.ProgramFiles ?? 'C:\\Program Files';
      out.push(join(pf, 'NVIDIA Corporation', 'NVSMI', 'nvidia-smi.exe'));
      out.push(join(env.SystemRoot ?? 'C:\\Windows', 'System32', 'nvidia-smi.exe'));
    } else {
      out.push('/usr/bin/nvidia-smi', '/usr/local/nvidia/bin/nvidia-smi', '/usr/lib/wsl/lib/nvidia-smi');
    }
  }
  if ((tool === 'rocm-smi' || tool === 'amd-smi') && !win) out.push(`/opt/rocm/bin/${tool}`);
  return out;
}

/** The first candidate that exists, or null when the tool is not installed (a normal state). */
export function findTool(tool: string, platform = process.platform, env: Record<string, string | undefined> = process.env): string | null {
  for (const c of toolCandidates(tool, platform, env)) if (existsSync(c)) return c;
  return null;
}
