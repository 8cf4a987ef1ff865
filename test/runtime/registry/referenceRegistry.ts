// The reference registry (Debian's docker-registry, i.e. distribution 2.8) on loopback for
// tests, as ENVIRONMENT.md shows: a temp config listening on 127.0.0.1 port 0, storage in a temp
// dir, optionally htpasswd Basic auth or token auth. Readiness is the registry's own
// "listening on 127.0.0.1:PORT" log line (which also tells us the port), never a sleep.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ReferenceRegistry {
  /** `127.0.0.1:PORT`: the registry part of image references. */
  host: string;
  dir: string;
  stop(): Promise<void>;
}

export type RegistryAuthConfig =
  | { kind: 'none' }
  | { kind: 'htpasswd'; users: { username: string; password: string }[] }
  | { kind: 'token'; realm: string; service: string; issuer: string; rootCertPath: string };

export async function startReferenceRegistry(auth: RegistryAuthConfig = { kind: 'none' }): Promise<ReferenceRegistry> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-registry-'));
  const lines = ['version: 0.1', 'log:', '  level: info', '  accesslog:', '    disabled: true', 'storage:', '  filesystem:', `    rootdirectory: ${join(dir, 'data')}`, '  delete:', '    enabled: true', 'http:', '  addr: 127.0.0.1:0', '  secret: berth-test-secret'];
  if (auth.kind === 'htpasswd') {
    const file = join(dir, 'htpasswd');
    await writeFile(file, '');
    // htpasswd -B (apache2-utils): distribution only accepts bcrypt entries.
    for (const user of auth.users) await run('htpasswd', ['-B', '-b', file, user.username, user.password]);
    lines.push('auth:', '  htpasswd:', '    realm: berth-test', `    path: ${file}`);
  } else if (auth.kind === 'token') {
    lines.push('auth:', '  token:', `    realm: ${auth.realm}`, `    service: ${auth.service}`, `    issuer: ${auth.issuer}`, `    rootcertbundle: ${auth.rootCertPath}`);
  }
  const config = join(dir, 'config.yml');
  await writeFile(config, `${lines.join('\n')}\n`);

  const child: ChildProcess = spawn('docker-registry', ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  const host = await new Promise<string>((resolve, reject) => {
    child.once('error', (error) => reject(new Error(`docker-registry could not start: ${error.message} (install the Debian package docker-registry)`)));
    child.once('exit', (code, signal) => reject(new Error(`docker-registry exited (${signal ?? code}) before listening:\n${log}`)));
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (text: string) => {
      log += text;
      const match = /listening on (127\.0\.0\.1:\d+)/.exec(log);
      if (match) resolve(match[1]);
    });
  }).catch(async (error) => {
    child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw error;
  });
  // Keep draining its log so the pipe never fills.
  child.stderr!.on('data', () => {});
  let stopped: Promise<void> | undefined;
  return {
    host,
    dir,
    stop: () =>
      (stopped ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
          child.kill('SIGTERM');
          await exited;
        }
        await rm(dir, { recursive: true, force: true });
      })()),
  };
}
