import { configToArgv, type ArgvItem } from '../argv';
import { getArg, getCatalogue } from '../catalogue';
import type { ArgValue, LaunchConfig } from '../types';
import type { ExportOptions } from './types';

export const DEFAULT_IMAGE = 'ghcr.io/ggml-org/llama.cpp:server';
const CACHE_IN_CONTAINER = '/root/.cache/llama.cpp';
const DOWNLOADS = ['--hf-repo', '--model-url', '--docker-repo', '--spec-draft-hf', '--mmproj-url'];

export interface Mount {
  host: string;
  container: string;
  readOnly: boolean;
}

/** What a container needs besides the image: llama-server's argv inside it, mounts, ports, env. */
export interface ContainerPlan {
  image: string;
  /** llama-server arguments as they must read inside the container. */
  items: ArgvItem[];
  mounts: Mount[];
  /** Named volume for downloaded models, when the configuration downloads any. */
  cacheVolume: { name: string; container: string } | null;
  /** "[hostIp:]hostPort:containerPort". */
  publish: string;
  /** Environment variables passed through from the host (secrets). */
  passEnv: string[];
  /** Extra `docker run` options for GPU images. */
  deviceArgs: string[];
  errors: string[];
  warnings: string[];
}

function splitPath(p: string): { dir: string; base: string } {
  const at = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
  if (at < 0) return { dir: '.', base: p };
  return { dir: at === 0 ? p[0] : p.slice(0, at), base: p.slice(at + 1) };
}

/**
 * Rewrites a configuration for the official llama.cpp server image: model files and directories
 * are mounted read-only and their paths rewritten into the mounts, the server listens on 0.0.0.0
 * inside the container, and the port is published on the host address the configuration chose.
 */
export function planContainer(config: LaunchConfig, opts: ExportOptions): ContainerPlan {
  const cat = opts.catalogue ?? getCatalogue();
  const image = opts.image ?? DEFAULT_IMAGE;
  const warnings: string[] = [];
  const mounts: Mount[] = [];
  const args: Record<string, ArgValue> = {};
  const mountFor = (hostDir: string): string => {
    const found = mounts.find((m) => m.host === hostDir);
    if (found) return found.container;
    const container = mounts.length === 0 ? '/models' : `/models-${mounts.length + 1}`;
    mounts.push({ host: hostDir, container, readOnly: true });
    if (!/^([/\\]|[A-Za-z]:[/\\])/.test(hostDir)) warnings.push(`${hostDir}: docker needs an absolute host path; this one is taken relative to where docker runs`);
    return container;
  };
  for (const [key, value] of Object.entries(config.args)) {
    const spec = getArg(cat, key);
    if (spec?.path && typeof value === 'string' && value !== '') {
      if (spec.path === 'dir') args[key] = mountFor(value.replace(/[/\\]+$/, '') || '/');
      else {
        const { dir, base } = splitPath(value);
        args[key] = `${mountFor(dir)}/${base}`;
      }
    } else if (key !== '--host' && key !== '--port') {
      args[key] = value;
    }
  }
  const port = Number(config.args['--port'] ?? getArg(cat, '--port')?.default ?? 8080);
  const host = String(config.args['--host'] ?? getArg(cat, '--host')?.default ?? '127.0.0.1');
  args['--host'] = '0.0.0.0';
  args['--port'] = port;
  const { items, errors, skipped } = configToArgv({ args, extraArgs: config.extraArgs }, opts);
  warnings.push(...skipped);
  const passEnv = items.filter((i) => i.words.some((w) => 'env' in w)).map((i) => i.secretEnv!);
  const downloads = DOWNLOADS.some((k) => config.args[k] !== undefined && config.args[k] !== '') ||
    cat.args.some((a) => a.modelSource && a.type === 'flag' && config.args[a.key] === true);
  const publishHost = host === '0.0.0.0' || host === '::' ? '' : `${host}:`;
  if (host.endsWith('.sock')) warnings.push('a UNIX socket host does not work through a published port; TCP is used in the container');
  const deviceArgs = /cuda/.test(image) ? ['--gpus', 'all'] : /rocm/.test(image) ? ['--device', '/dev/kfd', '--device', '/dev/dri'] : /vulkan|intel|musa/.test(image) ? ['--device', '/dev/dri'] : [];
  return {
    image,
    items: items.filter((i) => !i.words.some((w) => 'env' in w)),
    mounts,
    cacheVolume: downloads ? { name: 'llama-cache', container: CACHE_IN_CONTAINER } : null,
    publish: `${host.endsWith('.sock') ? '' : publishHost}${port}:${port}`,
    passEnv,
    deviceArgs,
    errors,
    warnings,
  };
}

/** A container / service / unit name from a configuration name. */
export function slug(name: string | undefined, fallback = 'llama-server'): string {
  const s = (name ?? '').toLowerCase().replace(/[^a-z0-9_.-]+/g, '-').replace(/^[-_.]+|[-_.]+$/g, '');
  return s || fallback;
}
