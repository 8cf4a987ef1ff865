// Starts `node dist/berth.js serve` on a temp root for one test and drives the stock docker CLI
// against it. Readiness is the ready line on stdout, never a sleep. `npm test` builds dist/
// first; run alone, `npm run build` must have run after the last change to runtime/.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { TestContext } from 'node:test';

export const ROOT = join(__dirname, '..', '..', '..');
export const BERTH = join(ROOT, 'dist', 'berth.js');
/** The stock CLI on PATH (v28 here). */
export const DOCKER = 'docker';
/** Debian's docker.io client (20.10), when installed. */
export const DOCKER_20 = '/usr/bin/docker';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface BerthAgent {
  dir: string;
  root: string;
  socket: string;
  /** What the ready line said. */
  ready: { docker: string; root: string; bridge: string; tokenFile: string };
  env: NodeJS.ProcessEnv;
  child: ChildProcess;
  /** Runs a docker CLI against the agent; never rejects on a non-zero exit (see `code`). */
  run(args: string[], options?: { cli?: string; stdin?: Readable; timeoutMs?: number }): Promise<CliResult>;
  /** Like run, but rejects with stderr unless the command succeeds. */
  docker(args: string[], options?: { cli?: string; stdin?: Readable; timeoutMs?: number }): Promise<string>;
  /** Sends `signal` and resolves with how the agent exited. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

/** Fails fast when dist/berth.js is missing or older than the runtime sources. */
export function checkBundle(): void {
  if (!existsSync(BERTH)) throw new Error(`${BERTH} is missing; run \`npm run build\` first`);
  const built = statSync(BERTH).mtimeMs;
  const stale = newestSource(join(ROOT, 'runtime'));
  if (stale.mtimeMs > built) throw new Error(`${BERTH} is older than ${stale.path}; run \`npm run build\` first`);
}

function newestSource(dir: string): { path: string; mtimeMs: number } {
  let newest = { path: dir, mtimeMs: 0 };
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const found = entry.isDirectory() ? newestSource(path) : { path, mtimeMs: statSync(path).mtimeMs };
    if (found.mtimeMs > newest.mtimeMs) newest = found;
  }
  return newest;
}

export async function tempDir(t: TestContext, prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Spawns `berth serve`; rejects with its stderr if it exits before printing the ready line. */
export function spawnServe(root: string, socket: string, extraArgs: string[] = []): { child: ChildProcess; ready: Promise<BerthAgent['ready']>; stderr: () => string } {
  checkBundle();
  const child = spawn(process.execPath, [BERTH, 'serve', '--root', root, '--docker-socket', socket, ...extraArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const ready = new Promise<BerthAgent['ready']>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => resolve(JSON.parse(line) as BerthAgent['ready']));
    child.once('exit', (code, signal) => reject(new Error(`berth serve exited (${signal ?? `code ${code}`}) before it was ready: ${stderr.trim()}`)));
  });
  return { child, ready, stderr: () => stderr };
}

export async function startBerth(t: TestContext, options: { dir?: string; args?: string[] } = {}): Promise<BerthAgent> {
  const dir = options.dir ?? (await tempDir(t, 'berth-api-'));
  const root = join(dir, 'root');
  const socket = join(dir, 'docker.sock');
  const { child, ready: readyLine, stderr } = spawnServe(root, socket, options.args);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const ready = await readyLine;
  const env = { ...process.env, DOCKER_HOST: ready.docker, DOCKER_CONFIG: join(dir, 'cli'), DOCKER_CLI_HINTS: 'false' };

  const run: BerthAgent['run'] = (args, { cli = DOCKER, stdin, timeoutMs = 60_000 } = {}) =>
    new Promise((resolve, reject) => {
      const proc = execFile(cli, args, { env, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }, (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        if (error !== null && typeof error.code !== 'number' && !error.killed) reject(error);
        else resolve({ code: error?.killed ? -1 : code, stdout, stderr });
      });
      if (stdin !== undefined) stdin.pipe(proc.stdin!);
      else proc.stdin?.end();
    });
  const docker: BerthAgent['docker'] = async (args, opts) => {
    const result = await run(args, opts);
    if (result.code !== 0) throw new Error(`${opts?.cli ?? DOCKER} ${args.join(' ')} exited ${result.code}: ${result.stderr.trim()}`);
    return result.stdout;
  };
  const stop: BerthAgent['stop'] = async (signal = 'SIGTERM') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return { ...(await exited), stderr: stderr() };
  };
  return { dir, root, socket, ready, env, child, run, docker, stop };
}
