// A host without crun and conmon: serve still starts (images work), says at once what is
// missing and how to install it, and container requests answer with the same message.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { BERTH, checkBundle } from '../api/berthServe';

test('without crun and conmon, serve starts and container requests explain what to install', async (t) => {
  checkBundle();
  const dir = await mkdtemp(join(tmpdir(), 'berth-nohost-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const socket = join(dir, 'docker.sock');
  const child = spawn(process.execPath, [BERTH, 'serve', '--root', join(dir, 'root'), '--docker-socket', socket], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PATH: join(dir, 'empty-bin') },
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  t.after(async () => {
    child.kill('SIGTERM');
    await exited;
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', () => reject(new Error(`serve exited: ${stderr}`)));
  });
  assert.match(stderr, /containers cannot run: crun and conmon not found on PATH.*apt-get install -y crun conmon/);

  const env = { ...process.env, DOCKER_HOST: `unix://${socket}`, DOCKER_CONFIG: join(dir, 'cli') };
  const result = await new Promise<{ code: number; stderr: string }>((resolve) =>
    execFile('docker', ['create', '--network', 'none', 'busybox', 'true'], { env }, (error, _stdout, err) => resolve({ code: error === null ? 0 : Number(error.code), stderr: err })),
  );
  assert.notEqual(result.code, 0);
  assert.match(result.stderr, /berth cannot run containers on this host: crun and conmon not found on PATH.*apt-get install -y crun conmon/);
  const ps = await new Promise<string>((resolve, reject) => execFile('docker', ['ps', '-a', '-q'], { env }, (error, stdout) => (error === null ? resolve(stdout) : reject(error))));
  assert.equal(ps, '', 'listing still works');
});
