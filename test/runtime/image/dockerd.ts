// A private Docker Engine for interop tests (ENVIRONMENT.md, "Docker Engine"): dockerd on its
// own data and exec roots and a unix socket in a temp dir, with no bridge network and no
// iptables changes, so it touches nothing outside that dir and nothing leaves loopback.
// Readiness is `docker version` answering, not a sleep; stop() sends SIGTERM and waits for exit.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { open, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';

export interface DockerResult {
  stdout: string;
  stderr: string;
}

export interface Dockerd {
  dir: string;
  /** `unix://…/docker.sock`, for DOCKER_HOST. */
  host: string;
  /** Environment for a docker client talking to this daemon. */
  env: NodeJS.ProcessEnv;
  /** Runs the docker CLI against this daemon; rejects with its stderr on a non-zero exit. */
  docker(args: string[], options?: { stdin?: Readable; timeoutMs?: number }): Promise<DockerResult>;
  /** SIGTERM, wait for exit (SIGKILL after 30 s), then remove the temp dir. */
  stop(): Promise<void>;
}

/** Why dockerd cannot run in this process, or undefined when it can be tried. */
export function dockerdUnavailable(): string | undefined {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'dockerd needs root; run the tests as root (CI does)';
  return undefined;
}

export async function startDockerd(options: { startTimeoutMs?: number } = {}): Promise<Dockerd> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-dockerd-'));
  const host = `unix://${join(dir, 'docker.sock')}`;
  // DOCKER_CONFIG keeps the CLI away from the user's ~/.docker.
  const env = { ...process.env, DOCKER_HOST: host, DOCKER_CONFIG: join(dir, 'cli'), DOCKER_CLI_HINTS: 'false' };
  const logPath = join(dir, 'dockerd.log');
  const log = await open(logPath, 'w');
  let daemon: ChildProcess;
  try {
    daemon = spawn(
      'dockerd',
      [
        '--host', host,
        '--data-root', join(dir, 'data'),
        '--exec-root', join(dir, 'exec'),
        '--pidfile', join(dir, 'docker.pid'),
        '--bridge=none', '--iptables=false', '--ip-masq=false',
      ],
      { stdio: ['ignore', log.fd, log.fd] },
    );
  } finally {
    await log.close();
  }
  const exited = new Promise<string>((resolve) => {
    daemon.once('error', (error) => resolve(`dockerd could not be started: ${error.message}${(error as NodeJS.ErrnoException).code === 'ENOENT' ? ' (install the Debian package docker.io)' : ''}`));
    daemon.once('exit', (code, signal) => resolve(`dockerd exited (${signal ?? `code ${code}`})`));
  });
  let stopped: Promise<void> | undefined;

  const docker = (args: string[], { stdin, timeoutMs = 120_000 }: { stdin?: Readable; timeoutMs?: number } = {}): Promise<DockerResult> =>
    new Promise((resolve, reject) => {
      const child = execFile('docker', args, { env, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
        if (error) reject(new Error(`docker ${args.join(' ')} failed: ${stderr.trim() || error.message}`));
        else resolve({ stdout, stderr });
      });
      if (stdin !== undefined) {
        stdin.on('error', (error) => {
          child.kill();
          reject(error);
        });
        stdin.pipe(child.stdin!);
      } else child.stdin?.end();
    });

  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      if (daemon.exitCode === null && daemon.signalCode === null) {
        daemon.kill('SIGTERM');
        const timer = setTimeout(() => daemon.kill('SIGKILL'), 30_000);
        await exited;
        clearTimeout(timer);
      }
      await rm(dir, { recursive: true, force: true });
    })());

  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  let lastError = '';
  for (;;) {
    const outcome = await Promise.race([docker(['version', '--format', '{{.Server.Version}}'], { timeoutMs: 10_000 }).then(() => 'ready'), exited]).catch((error: Error) => {
      lastError = error.message;
      return 'retry';
    });
    if (outcome === 'ready') break;
    if (outcome !== 'retry' || Date.now() > deadline) {
      const tail = (await readFile(logPath, 'utf8').catch(() => '')).split('\n').slice(-15).join('\n');
      await stop();
      throw new Error(`${outcome === 'retry' ? `dockerd did not answer within ${options.startTimeoutMs ?? 60_000} ms (${lastError})` : outcome}; the end of its log:\n${tail}`);
    }
    // docker version failed fast (socket not there yet): ask again shortly; each try is itself a
    // request that waits for the daemon's answer.
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { dir, host, env, docker, stop };
}

/** Starts a private dockerd, runs `work`, and stops the daemon in `finally`. */
export async function withDockerd<T>(work: (dockerd: Dockerd) => Promise<T>): Promise<T> {
  const dockerd = await startDockerd();
  try {
    return await work(dockerd);
  } finally {
    await dockerd.stop();
  }
}
