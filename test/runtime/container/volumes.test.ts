// Volumes through the stock docker CLI against `berth serve`: named volumes made on first use
// and kept, anonymous ones (-v /path, VOLUME in the image, --mount without a source) removed by
// `rm -v` and `--rm`, Docker's copy-up of the image's content into a new empty volume (owners
// and modes kept; nocopy and non-empty volumes skip it), `docker volume create|ls|inspect|rm|prune`
// with Docker's messages (409 while in use), volume events, and volumes surviving an agent restart.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DOCKER_20 } from '../api/berthServe';
import { prepareContainerHost } from './containerHost';
import { agentWithImages, makeTestImages, restartAgent, runIn, type TestImages } from './mountAgent';

let images: TestImages;
let imageDir: string;

before(async () => {
  await prepareContainerHost();
  imageDir = await mkdtemp(join(tmpdir(), 'berth-vol-image-'));
  images = await makeTestImages(imageDir);
});

after(() => rm(imageDir, { recursive: true, force: true }));

function lines(text: string): string[] {
  return text.split('\n').filter((l) => l !== '');
}

test('a named volume is made on first use and outlives its containers', async (t) => {
  const agent = await agentWithImages(t, images);
  await runIn(agent, ['-v', 'keep:/store', 'busybox', 'sh', '-c', 'echo first > /store/note']);
  assert.deepEqual(lines(await agent.docker(['volume', 'ls', '-q'])), ['keep'], '--rm keeps a named volume');
  assert.equal(await runIn(agent, ['-v', 'keep:/other', 'busybox', 'cat', '/other/note']), 'first\n');
  const data = join(agent.root, 'volumes', 'keep', '_data');
  assert.equal(await readFile(join(data, 'note'), 'utf8'), 'first\n');

  const inspect = JSON.parse(await agent.docker(['volume', 'inspect', 'keep']))[0] as Record<string, unknown>;
  assert.equal(inspect.Name, 'keep');
  assert.equal(inspect.Driver, 'local');
  assert.equal(inspect.Scope, 'local');
  assert.equal(inspect.Mountpoint, data);
  assert.match(String(inspect.CreatedAt), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  // `docker inspect NAME` walks containers, images, … and finds the volume.
  assert.equal(await agent.docker(['inspect', '--type', 'volume', '--format', '{{.Name}}', 'keep']), 'keep\n');

  // --mount type=volume, read-only.
  const ro = await agent.run(['run', '--rm', '--network', 'none', '--mount', 'type=volume,source=keep,target=/v,readonly', 'busybox', 'sh', '-c', 'cat /v/note; echo x > /v/y']);
  assert.equal(ro.stdout, 'first\n');
  assert.match(ro.stderr, /Read-only file system/);
  // --mount labels a volume it creates.
  await runIn(agent, ['--mount', 'type=volume,source=tagged,target=/t,volume-label=team=x', 'busybox', 'true']);
  assert.equal(await agent.docker(['volume', 'inspect', '--format', '{{json .Labels}}', 'tagged']), '{"team":"x"}\n');

  if (existsSync(DOCKER_20)) {
    assert.equal(await agent.docker(['run', '--rm', '--network', 'none', '-v', 'keep:/k', 'busybox', 'cat', '/k/note'], { cli: DOCKER_20 }), 'first\n');
    assert.match(await agent.docker(['volume', 'ls'], { cli: DOCKER_20 }), /local\s+keep/);
  }
});

test('copy-up: a new empty volume starts with the image\'s content, owners and modes', async (t) => {
  const agent = await agentWithImages(t, images);
  const out = await runIn(agent, ['-v', 'seeded:/data', 'volimg', 'sh', '-c', 'stat -c "%u %a" /data; stat -c %u /data/seed.txt; cat /data/seed.txt /data/sub/deep.txt']);
  assert.equal(out, '1234 750\n1234\nfrom the image\ndeep\n');
  const data = join(agent.root, 'volumes', 'seeded', '_data');
  assert.equal((await stat(join(data, 'sub', 'deep.txt'))).uid, 1234, 'owners kept on the host too');
  // So the image's user can write to it, as the image meant.
  assert.equal(await runIn(agent, ['-u', 'app', '-v', 'seeded:/data', 'volimg', 'sh', '-c', 'echo mine > /data/by-app && stat -c %u /data/by-app']), '1234\n');

  // A volume that has content is not copied into again.
  await runIn(agent, ['-v', 'seeded:/data', 'volimg', 'rm', '/data/seed.txt']);
  assert.equal(await runIn(agent, ['-v', 'seeded:/data', 'volimg', 'ls', '/data']), 'by-app\nsub\n', 'seed.txt is not copied back');

  // nocopy, and a bind mount, never copy.
  assert.equal(await runIn(agent, ['-v', 'bare:/data:nocopy', 'volimg', 'ls', '-A', '/data']), '');
  assert.equal(await runIn(agent, ['--mount', 'type=volume,source=bare2,target=/data,volume-nocopy', 'volimg', 'ls', '-A', '/data']), '');
  // A volume mounted where the image has nothing stays empty.
  assert.equal(await runIn(agent, ['-v', 'elsewhere:/nothing/here', 'volimg', 'ls', '-A', '/nothing/here']), '');
});

test('anonymous volumes: VOLUME in the image, -v /path and --mount without source; rm -v and --rm remove them', async (t) => {
  const agent = await agentWithImages(t, images);
  // The image's VOLUME /data becomes an anonymous volume, with copy-up.
  await agent.docker(['run', '--network', 'none', '--name', 'anon', '-v', '/scratch', '--mount', 'type=volume,target=/m', 'volimg', 'sh', '-c', 'cat /data/seed.txt; echo s > /scratch/s']);
  const mounts = JSON.parse(await agent.docker(['inspect', '--format', '{{json .Mounts}}', 'anon'])) as { Name: string; Destination: string; Type: string }[];
  assert.deepEqual(mounts.map((m) => m.Destination).sort(), ['/data', '/m', '/scratch']);
  assert.ok(mounts.every((m) => m.Type === 'volume' && /^[0-9a-f]{64}$/.test(m.Name)), JSON.stringify(mounts));
  assert.equal(await agent.docker(['logs', 'anon']), 'from the image\n');
  assert.deepEqual(lines(await agent.docker(['volume', 'ls', '-q'])).sort(), mounts.map((m) => m.Name).sort());
  const configVolumes = JSON.parse(await agent.docker(['inspect', '--format', '{{json .Config.Volumes}}', 'anon'])) as Record<string, unknown>;
  assert.deepEqual(Object.keys(configVolumes).sort(), ['/data', '/scratch']);

  // Plain rm keeps anonymous volumes (as Docker); rm -v removes them.
  await agent.docker(['create', '--name', 'keeper', '--network', 'none', 'volimg', 'true']);
  const keeperVolume = (JSON.parse(await agent.docker(['inspect', '--format', '{{json .Mounts}}', 'keeper'])) as { Name: string }[])[0].Name;
  await agent.docker(['rm', 'keeper']);
  assert.ok(lines(await agent.docker(['volume', 'ls', '-q'])).includes(keeperVolume));
  await agent.docker(['rm', '-v', 'anon']);
  assert.deepEqual(lines(await agent.docker(['volume', 'ls', '-q'])), [keeperVolume]);
  for (const m of mounts) assert.equal(existsSync(join(agent.root, 'volumes', m.Name)), false);

  // --rm: anonymous volumes go with the container, named ones stay.
  await runIn(agent, ['-v', 'named:/n', '-v', '/anon', 'busybox', 'true']);
  assert.deepEqual(lines(await agent.docker(['volume', 'ls', '-q'])).sort(), [keeperVolume, 'named'].sort());
});

test('docker volume create, ls with filters, rm (409 while in use) and prune', async (t) => {
  const agent = await agentWithImages(t, images);
  assert.equal(await agent.docker(['volume', 'create', '--label', 'team=a', 'labelled']), 'labelled\n');
  assert.equal(await agent.docker(['volume', 'create', 'labelled']), 'labelled\n', 'creating an existing volume returns it');
  const generated = (await agent.docker(['volume', 'create'])).trim();
  assert.match(generated, /^[0-9a-f]{64}$/);
  const bad = await agent.run(['volume', 'create', 'no/slash']);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /includes invalid characters for a local volume name, only "\[a-zA-Z0-9\]\[a-zA-Z0-9_.-\]" are allowed/);
  const opts = await agent.run(['volume', 'create', '--opt', 'type=tmpfs', 'withopts']);
  assert.notEqual(opts.code, 0);
  assert.match(opts.stderr, /take no driver options/);

  assert.deepEqual(lines(await agent.docker(['volume', 'ls', '-q', '--filter', 'label=team=a'])), ['labelled']);
  assert.deepEqual(lines(await agent.docker(['volume', 'ls', '-q', '--filter', 'name=label'])), ['labelled']);

  await agent.docker(['create', '--name', 'user', '--network', 'none', '-v', 'labelled:/l', 'busybox', 'true']);
  assert.deepEqual(lines(await agent.docker(['volume', 'ls', '-q', '--filter', 'dangling=false'])), ['labelled']);
  const inUse = await agent.run(['volume', 'rm', 'labelled']);
  assert.equal(inUse.code, 1);
  const userId = (await agent.docker(['inspect', '--format', '{{.Id}}', 'user'])).trim();
  assert.match(inUse.stderr, new RegExp(`remove labelled: volume is in use - \\[${userId}\\]`));
  assert.equal((await agent.run(['volume', 'rm', '-f', 'labelled'])).code, 1, '-f does not remove a volume in use');

  const missing = await agent.run(['volume', 'rm', 'nosuch']);
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /no such volume/i);
  assert.equal((await agent.run(['volume', 'rm', '-f', 'nosuch'])).code, 0);
  assert.match((await agent.run(['volume', 'inspect', 'nosuch'])).stderr, /no such volume/i);

  // prune: every unused volume (API 1.41), not the one `user` holds; the label filter narrows it.
  await agent.docker(['volume', 'create', '--label', 'keep=yes', 'kept']);
  await runIn(agent, ['-v', 'filled:/f', 'busybox', 'sh', '-c', 'head -c 5000 /dev/zero > /f/zeros']);
  const pruned = await agent.docker(['volume', 'prune', '-f', '--filter', 'label!=keep']);
  const deleted = pruned.split('Deleted Volumes:\n')[1].split('\n\n')[0].split('\n');
  assert.deepEqual(deleted.sort(), [generated, 'filled'].sort());
  assert.match(pruned, /Total reclaimed space: 5(\.0)?kB/);
  assert.deepEqual(lines(await agent.docker(['volume', 'ls', '-q'])).sort(), ['kept', 'labelled']);
  await agent.docker(['rm', 'user']);
  await agent.docker(['volume', 'rm', 'labelled']);
  assert.equal(existsSync(join(agent.root, 'volumes', 'labelled')), false);
});

test('volume events, and volumes survive an agent restart', async (t) => {
  const agent = await agentWithImages(t, images);
  const since = Math.floor(Date.now() / 1000) - 1;
  await runIn(agent, ['-v', 'evented:/e', 'busybox', 'sh', '-c', 'echo kept > /e/f']);
  await agent.docker(['volume', 'rm', 'evented']);
  await agent.docker(['volume', 'create', 'survivor']);
  await runIn(agent, ['-v', 'survivor:/s', 'busybox', 'sh', '-c', 'echo still here > /s/f']);
  const until = Math.ceil(Date.now() / 1000) + 1;
  const events = lines(await agent.docker(['events', '--since', String(since), '--until', String(until), '--filter', 'type=volume', '--format', '{{.Action}} {{.Actor.ID}}']));
  assert.deepEqual(events.slice(0, 3), ['create evented', 'mount evented', 'destroy evented']);
  assert.ok(events.includes('create survivor') && events.includes('mount survivor'), events.join('\n'));

  const again = await restartAgent(t, agent);
  assert.equal(again.socket, agent.socket);
  assert.deepEqual(lines(await again.docker(['volume', 'ls', '-q'])), ['survivor']);
  assert.equal(await again.docker(['run', '--rm', '--network', 'none', '-v', 'survivor:/s', 'busybox', 'cat', '/s/f']), 'still here\n');
});
