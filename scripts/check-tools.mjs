#!/usr/bin/env node
// First step of `npm test`: the suites run real tools (shells, promtool, yq, Chromium), and a missing
// one used to surface as a puzzling assertion deep in a test. This finds each of them before any test
// runs; on Debian/Ubuntu, when it may (root or passwordless sudo), it installs the missing ones,
// otherwise it stops with one message naming every missing tool and the command that installs it.
// LLAMADASH_NO_INSTALL=1 turns installation off (the message is printed instead).
import { spawnSync } from 'node:child_process';
import { accessSync, constants, readdirSync, readFileSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Every external program the tests spawn, with the Debian package that provides it and why it is needed. */
export const TOOLS = [
  { tool: 'chromium', pkg: 'chromium', why: 'the end-to-end tests run in it (or set CHROMIUM_PATH)' },
  { tool: 'promtool', pkg: 'prometheus', why: "checks the exporter's /metrics and the generated prometheus.yml and rules" },
  { tool: 'prometheus', pkg: 'prometheus', why: 'scrapes the stand-ins for the fleet tests (started by the tests, on loopback)' },
  { tool: 'bash', pkg: 'bash', why: 'runs the generated launch commands' },
  { tool: 'dash', pkg: 'dash', why: 'runs the generated launch commands as a POSIX sh' },
  { tool: 'yq', pkg: 'yq', why: 'parses the generated Compose and llama-swap YAML' },
];

// Debian's prometheus package starts prometheus (and, through Recommends, node-exporter) on install;
// the tests run promtool and start their own prometheus on loopback, so a server left running by the
// install is stopped again. `proc` is the
// kernel's process name (/proc/PID/comm), cut to 15 characters.
const SERVICES = [
  { proc: 'prometheus', service: 'prometheus' },
  { proc: 'prometheus-node', service: 'prometheus-node-exporter' },
];

function executable(file) {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The path of `name` on PATH, or null. */
function onPath(name, env) {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && executable(join(dir, name))) return join(dir, name);
  }
  return null;
}

/** Where a tool is, or null: Chromium is where Playwright is told to look, the others on PATH. */
function locate(tool, env) {
  if (tool === 'chromium') {
    const path = env.CHROMIUM_PATH || '/usr/bin/chromium';
    return isAbsolute(path) ? (executable(path) ? path : null) : onPath(path, env);
  }
  return onPath(tool, env);
}

/** The tools of TOOLS that cannot be found. */
export function missingTools(env = process.env) {
  return TOOLS.filter((t) => !locate(t.tool, env));
}

function isDebianLike() {
  try {
    const release = readFileSync('/etc/os-release', 'utf8');
    return /^(ID|ID_LIKE)=.*\b(debian|ubuntu)\b/m.test(release);
  } catch {
    return false;
  }
}

/** How packages may be installed here: 'root', 'sudo', or a reason why not. */
function installRights(env) {
  if (env.LLAMADASH_NO_INSTALL === '1') return { can: false, why: 'LLAMADASH_NO_INSTALL=1 is set' };
  if (!isDebianLike() || !onPath('apt-get', env)) return { can: false, why: 'this is not a Debian or Ubuntu system with apt-get' };
  if (process.getuid?.() === 0) return { can: true, sudo: false };
  if (onPath('sudo', env) && spawnSync('sudo', ['-n', 'true'], { env, stdio: 'ignore' }).status === 0) return { can: true, sudo: true };
  return { can: false, why: 'installing needs root or passwordless sudo' };
}

/** The install command; `sudo` only where the user is not root (a container may have no sudo). */
export function aptCommand(pkgs) {
  const sudo = process.getuid?.() === 0 ? '' : 'sudo ';
  return `${sudo}apt-get update && ${sudo}apt-get install -y --no-install-recommends ${pkgs.join(' ')}`;
}

/** The one message for tools that are missing and will not be installed. */
export function missingMessage(missing, why) {
  const width = Math.max(...missing.map((t) => t.tool.length));
  const pkgs = [...new Set(missing.map((t) => t.pkg))];
  return [
    `npm test needs ${missing.length === 1 ? 'a tool that is' : 'tools that are'} not installed (${why}, so nothing was installed):`,
    ...missing.map((t) => `  ${t.tool.padEnd(width)}  ${t.why} (Debian/Ubuntu package ${t.pkg})`),
    'Install with:',
    `  ${aptCommand(pkgs)}`,
    'On other systems install the same tools with their package manager (yq is the jq wrapper, `pip install yq`),',
    'then run npm test again.',
  ].join('\n');
}

/** Ids of the processes named `name`, read from /proc (a minimal Debian has no pgrep). */
function pids(name) {
  const out = new Set();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === name) out.add(Number(entry));
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return out;
}

/** Runs a command as root: directly, or through `sudo -n` when the check runs as a sudoer. */
function asRoot(sudo, args, opts = {}) {
  const [cmd, ...rest] = sudo ? ['sudo', '-n', ...args] : args;
  return spawnSync(cmd, rest, opts);
}

/** Stops the services an install started, then ends by id whatever of theirs still runs. */
function stopStartedServices(before, sudo) {
  for (const { proc, service } of SERVICES) {
    const started = [...pids(proc)].filter((p) => !before.get(proc).has(p));
    if (started.length === 0) continue;
    console.log(`check-tools: the install started ${service} (pid ${started.join(', ')}); stopping it and keeping it from starting at boot`);
    if (onPath('systemctl', process.env)) asRoot(sudo, ['systemctl', 'disable', '--now', service], { stdio: 'ignore' });
    if (onPath('service', process.env)) asRoot(sudo, ['service', service, 'stop'], { stdio: 'ignore' });
    const left = started.filter((p) => pids(proc).has(p));
    if (left.length > 0) asRoot(sudo, ['kill', ...left.map(String)], { stdio: 'ignore' });
    if (started.some((p) => pids(proc).has(p))) console.error(`check-tools: ${service} is still running (pid ${started.join(', ')}); stop it yourself`);
  }
}

function install(missing, sudo) {
  const pkgs = [...new Set(missing.map((t) => t.pkg))];
  const before = new Map(SERVICES.map(({ proc }) => [proc, pids(proc)]));
  const run = (args) => {
    console.log(`check-tools: ${sudo ? 'sudo -n ' : ''}${args.join(' ')}`);
    // Through env(1): sudo would drop DEBIAN_FRONTEND from the environment.
    const r = asRoot(sudo, ['env', 'DEBIAN_FRONTEND=noninteractive', ...args], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`\`${args.join(' ')}\` failed (exit ${r.status ?? r.signal ?? r.error?.message})`);
  };
  try {
    run(['apt-get', 'update', '-qq']);
    run(['apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...pkgs]);
  } finally {
    stopStartedServices(before, sudo);
  }
}

function main() {
  const missing = missingTools();
  if (missing.length === 0) return 0;
  const rights = installRights(process.env);
  if (!rights.can) {
    console.error(missingMessage(missing, rights.why));
    return 1;
  }
  const started = Date.now();
  console.log(`check-tools: installing ${missing.map((t) => t.tool).join(', ')} for the tests`);
  try {
    install(missing, rights.sudo);
  } catch (e) {
    console.error(`check-tools: ${e.message}`);
    console.error(missingMessage(missing, 'the install failed'));
    return 1;
  }
  const still = missingTools();
  if (still.length > 0) {
    console.error(missingMessage(still, 'they are still missing after apt-get install'));
    return 1;
  }
  console.log(`check-tools: installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = main();
