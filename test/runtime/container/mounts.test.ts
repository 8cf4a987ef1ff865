// Bind mounts and tmpfs through the stock docker CLI against `berth serve`, proved from inside
// the container: writes through -v reach the host, :ro refuses writes, -v creates a missing
// source while --mount refuses it with Docker's message, --tmpfs and --mount type=tmpfs are
// tmpfs in /proc/mounts with their options, --read-only makes the root refuse writes while
// mounts stay writable, and inspect shows it all as Docker does.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DOCKER_20 } from '../api/berthServe';
import { prepareContainerHost } from './containerHost';
import { agentWithImages, makeTestImages, runIn, type TestImages } from './mountAgent';

let images: TestImages;
let imageDir: string;

before(async () => {
  await prepareContainerHost();
  imageDir = await mkdtemp(join(tmpdir(), 'berth-mnt-image-'));
  images = await makeTestImages(imageDir);
});

after(() => rm(imageDir, { recursive: true, force: true }));

/** The mount at `path` in a container's /proc/mounts: `[source, type, options]`. */
function mountLine(procMounts: string, path: string): [string, string, string[]] | undefined {
  const line = procMounts.split('\n').find((l) => l.split(' ')[1] === path);
  if (line === undefined) return undefined;
  const [source, , type, options] = line.split(' ');
  return [source, type, options.split(',')];
}

test('-v binds a host directory: writes reach the host, :ro refuses them', async (t) => {
  const agent = await agentWithImages(t, images);
  const host = join(agent.dir, 'shared');
  await mkdir(host);
  await writeFile(join(host, 'from-host.txt'), 'hello from the host\n');
  const out = await runIn(agent, ['-v', `${host}:/mnt`, 'busybox', 'sh', '-c', 'cat /mnt/from-host.txt; echo written inside > /mnt/from-ctr.txt']);
  assert.equal(out, 'hello from the host\n');
  assert.equal(await readFile(join(host, 'from-ctr.txt'), 'utf8'), 'written inside\n');

  const ro = await agent.run(['run', '--rm', '--network', 'none', '-v', `${host}:/mnt:ro`, 'busybox', 'sh', '-c', 'cat /mnt/from-host.txt && echo no > /mnt/nope.txt']);
  assert.equal(ro.code, 1);
  assert.equal(ro.stdout, 'hello from the host\n', 'reading works');
  assert.match(ro.stderr, /Read-only file system/);
  assert.equal(existsSync(join(host, 'nope.txt')), false);

  // rbind + rprivate, as Docker: the container sees the mount read-only in its own mount table.
  const mounts = await runIn(agent, ['-v', `${host}:/mnt:ro`, 'busybox', 'cat', '/proc/self/mountinfo']);
  const info = mounts.split('\n').find((l) => l.split(' ')[4] === '/mnt');
  assert.ok(info !== undefined, mounts);
  assert.ok(info.split(' ')[5].split(',').includes('ro'), info);
  assert.doesNotMatch(info, /shared:|master:/, 'private propagation');

  if (existsSync(DOCKER_20)) {
    assert.equal(await agent.docker(['run', '--rm', '--network', 'none', '-v', `${host}:/m`, 'busybox', 'cat', '/m/from-ctr.txt'], { cli: DOCKER_20 }), 'written inside\n');
  }
});

test('-v creates a missing host directory; --mount refuses it with Docker\'s message', async (t) => {
  const agent = await agentWithImages(t, images);
  const missing = join(agent.dir, 'made', 'by', 'v');
  await runIn(agent, ['-v', `${missing}:/data`, 'busybox', 'sh', '-c', 'echo hi > /data/f']);
  assert.equal((await stat(missing)).isDirectory(), true);
  assert.equal(await readFile(join(missing, 'f'), 'utf8'), 'hi\n');

  const absent = join(agent.dir, 'absent');
  const refused = await agent.run(['run', '--rm', '--network', 'none', '--mount', `type=bind,source=${absent},target=/x`, 'busybox', 'true']);
  assert.equal(refused.code, 125);
  assert.match(refused.stderr, new RegExp(`invalid mount config for type "bind": bind source path does not exist: ${absent}`));
  assert.equal(existsSync(absent), false);
  assert.equal(await agent.docker(['ps', '-aq']), '', 'the failed create left no container');

  // An anonymous volume made before the failing bind goes away with the failed create.
  const withVolume = await agent.run(['run', '--rm', '--network', 'none', '-v', '/anon', '--mount', `type=bind,source=${absent},target=/x`, 'busybox', 'true']);
  assert.equal(withVolume.code, 125);
  assert.equal(await agent.docker(['volume', 'ls', '-q']), '', 'no volume is left behind');
});

test('--mount type=bind with readonly, and two mounts at one place are refused', async (t) => {
  const agent = await agentWithImages(t, images);
  const host = join(agent.dir, 'src');
  await mkdir(host);
  const result = await agent.run(['run', '--rm', '--network', 'none', '--mount', `type=bind,source=${host},target=/ro,readonly`, '--mount', `type=bind,src=${host},dst=/rw`, 'busybox', 'sh', '-c', 'echo a > /rw/a && cat /ro/a && echo b > /ro/b']);
  assert.equal(result.code, 1);
  assert.equal(result.stdout, 'a\n');
  assert.match(result.stderr, /Read-only file system/);

  const duplicate = await agent.run(['run', '--rm', '--network', 'none', '-v', `${host}:/x`, '--mount', `type=bind,source=${host},target=/x`, 'busybox', 'true']);
  assert.notEqual(duplicate.code, 0);
  assert.match(duplicate.stderr, /Duplicate mount point: \/x/);
  const relative = await agent.run(['run', '--rm', '--network', 'none', '-v', `${host}:relative`, 'busybox', 'true']);
  assert.notEqual(relative.code, 0);
  assert.match(relative.stderr, /invalid volume specification|mount path must be absolute/);
});

test('--tmpfs and --mount type=tmpfs are tmpfs mounts with their options', async (t) => {
  const agent = await agentWithImages(t, images);
  const out = await runIn(agent, ['--tmpfs', '/scratch:size=2m,mode=1770', '--mount', 'type=tmpfs,target=/cache,tmpfs-size=1048576', 'busybox', 'sh', '-c', 'echo x > /scratch/f && cat /scratch/f && stat -c %a /scratch && cat /proc/mounts']);
  const [first, mode, ...rest] = out.split('\n');
  assert.equal(first, 'x');
  assert.equal(mode, '1770');
  const procMounts = rest.join('\n');
  const scratch = mountLine(procMounts, '/scratch');
  assert.ok(scratch !== undefined, procMounts);
  assert.equal(scratch[1], 'tmpfs');
  assert.ok(scratch[2].includes('size=2048k'), scratch[2].join(','));
  for (const option of ['nosuid', 'nodev', 'noexec']) assert.ok(scratch[2].includes(option), `Docker's default ${option}`);
  const cache = mountLine(procMounts, '/cache');
  assert.ok(cache !== undefined && cache[1] === 'tmpfs' && cache[2].includes('size=1024k'), String(cache));

  // `exec` replaces the default noexec.
  const exec = await runIn(agent, ['--tmpfs', '/run/x:exec', 'busybox', 'sh', '-c', 'cp /bin/busybox /run/x/busybox && /run/x/busybox echo ran']);
  assert.equal(exec, 'ran\n');
});

test('--read-only: the root refuses writes, mounts and /dev/shm stay writable', async (t) => {
  const agent = await agentWithImages(t, images);
  const host = join(agent.dir, 'out');
  await mkdir(host);
  const result = await agent.run([
    'run', '--rm', '--network', 'none', '--read-only', '--tmpfs', '/tmp', '-v', `${host}:/out`, 'busybox', 'sh', '-c',
    'echo t > /tmp/t && echo o > /out/o && echo s > /dev/shm/s && echo ok; touch /etc/nope',
  ]);
  assert.equal(result.stdout, 'ok\n');
  assert.match(result.stderr, /Read-only file system/);
  assert.equal(result.code, 1);
  assert.equal(await readFile(join(host, 'o'), 'utf8'), 'o\n');
});

test('docker inspect shows Mounts and the HostConfig fields as Docker does', async (t) => {
  const agent = await agentWithImages(t, images);
  const host = join(agent.dir, 'h');
  await mkdir(host);
  await agent.docker([
    'create', '--name', 'shown', '--network', 'none', '--read-only', '-v', `${host}:/bind:ro`, '-v', 'named:/vol', '--tmpfs', '/t:size=1m',
    '--mount', 'type=tmpfs,target=/mt', 'busybox', 'true',
  ]);
  const inspect = JSON.parse(await agent.docker(['inspect', 'shown']))[0] as {
    Mounts: Record<string, unknown>[];
    HostConfig: Record<string, unknown>;
  };
  const byDestination = Object.fromEntries(inspect.Mounts.map((m) => [m.Destination, m]));
  assert.deepEqual(byDestination['/bind'], { Type: 'bind', Source: host, Destination: '/bind', Mode: 'ro', RW: false, Propagation: 'rprivate' });
  const volume = byDestination['/vol'];
  assert.equal(volume.Type, 'volume');
  assert.equal(volume.Name, 'named');
  assert.equal(volume.Driver, 'local');
  assert.equal(volume.RW, true);
  assert.equal(volume.Source, join(agent.root, 'volumes', 'named', '_data'));
  assert.deepEqual(byDestination['/mt'], { Type: 'tmpfs', Source: '', Destination: '/mt', Mode: '', RW: true, Propagation: '' });
  assert.equal(byDestination['/t'], undefined, '--tmpfs shows only in HostConfig.Tmpfs, as in Docker');
  assert.deepEqual([...(inspect.HostConfig.Binds as string[])].sort(), [`${host}:/bind:ro`, 'named:/vol']);
  assert.deepEqual(inspect.HostConfig.Tmpfs, { '/t': 'size=1m' });
  assert.equal(inspect.HostConfig.ReadonlyRootfs, true);
  assert.equal((inspect.HostConfig.Mounts as { Type: string; Target: string }[])[0].Target, '/mt');
  assert.match(await agent.docker(['ps', '-a', '--format', '{{.Mounts}}']), /\bnamed\b/, 'docker ps names the volume');
});
