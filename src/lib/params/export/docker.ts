import { posixEnvRef, quotePosix } from '../quote/posix';
import { yamlString } from '../quote/yaml';
import type { LaunchConfig } from '../types';
import { planContainer, slug } from './container';
import { posixWords } from './posix';
import type { ExportOptions, ExportResult } from './types';

/** A `docker run` command (POSIX shell) for the official llama.cpp server image. */
export function writeDockerRun(config: LaunchConfig, opts: ExportOptions): ExportResult {
  const plan = planContainer(config, opts);
  const opt = (...words: string[]) => words.map(quotePosix).join(' ');
  const lines = [opt('docker', 'run', '--rm', '--name', slug(config.name)), opt('-p', plan.publish)];
  if (plan.deviceArgs.length) lines.push(opt(...plan.deviceArgs));
  for (const m of plan.mounts) lines.push(opt('-v', `${m.host}:${m.container}${m.readOnly ? ':ro' : ''}`));
  if (plan.cacheVolume) lines.push(opt('-v', `${plan.cacheVolume.name}:${plan.cacheVolume.container}`));
  for (const e of plan.passEnv) lines.push(opt('-e', e));
  lines.push(quotePosix(plan.image), ...plan.items.map(posixWords));
  // `-e NAME` passes the host's value without putting it on docker's command line; the guard stops
  // the run when it is unset, instead of starting a server without its key.
  const guards = plan.passEnv.map((e) => `: ${posixEnvRef(e)}\n`).join('');
  return {
    text: guards + lines.join(' \\\n  ') + '\n',
    filename: 'llama-server-docker.sh',
    warnings: [...plan.warnings, ...plan.passEnv.map((e) => `${e} is passed from your environment: export it before running`)],
    errors: plan.errors,
  };
}

/** A Docker Compose file with one service (command as a list, so no shell is involved). */
export function writeCompose(config: LaunchConfig, opts: ExportOptions): ExportResult {
  const plan = planContainer(config, opts);
  const y = (s: string) => yamlString(s.replaceAll('$', '$$$$'));
  const name = slug(config.name);
  const out = ['services:', `  ${name}:`, `    image: ${y(plan.image)}`, '    command:'];
  for (const w of plan.items.flatMap((i) => i.words)) out.push(`      - ${y('lit' in w ? w.lit : '')}`);
  out.push('    ports:', `      - ${y(plan.publish)}`);
  if (plan.mounts.length || plan.cacheVolume) out.push('    volumes:');
  for (const m of plan.mounts) {
    out.push('      - type: bind', `        source: ${y(m.host)}`, `        target: ${y(m.container)}`, `        read_only: ${m.readOnly}`);
  }
  if (plan.cacheVolume) out.push('      - type: volume', `        source: ${plan.cacheVolume.name}`, `        target: ${y(plan.cacheVolume.container)}`);
  if (plan.passEnv.length) {
    out.push('    environment:');
    for (const e of plan.passEnv) out.push(`      ${e}: ${yamlString(`\${${e}:?${e} is not set}`)}`);
  }
  if (plan.deviceArgs[1] === 'all') {
    out.push('    deploy:', '      resources:', '        reservations:', '          devices:', '            - driver: nvidia', '              count: all', '              capabilities: [gpu]');
  } else if (plan.deviceArgs.length) {
    out.push('    devices:', ...plan.deviceArgs.filter((a) => a !== '--device').map((d) => `      - ${y(d)}`));
  }
  out.push('    restart: unless-stopped');
  if (plan.cacheVolume) out.push('volumes:', `  ${plan.cacheVolume.name}: {}`);
  return {
    text: out.join('\n') + '\n',
    filename: 'compose.yaml',
    warnings: [...plan.warnings, ...plan.passEnv.map((e) => `${e} comes from your environment or an .env file next to compose.yaml`)],
    errors: plan.errors,
  };
}
