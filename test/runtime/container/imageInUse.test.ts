// docker rmi of an image containers use, with moby's rules, and what happens to its layers:
// an image a running container uses survives even `rmi -f` (untagged); a stopped container's
// image goes with -f, and the container can still start, because its layer snapshots stay
// until the container goes too.
import assert from 'node:assert/strict';
import { readdir, rm } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { makeBusyboxArchive, type BusyboxArchive } from '../api/busyboxArchive';
import { agentWithBusybox } from './busyboxAgent';
import { prepareContainerHost } from './containerHost';

let busybox: BusyboxArchive;
let imageDir: string;

before(async () => {
  await prepareContainerHost();
  imageDir = await mkdtemp(join(tmpdir(), 'berth-inuse-image-'));
  busybox = await makeBusyboxArchive(imageDir);
});

after(() => rm(imageDir, { recursive: true, force: true }));

async function snapshots(root: string): Promise<string[]> {
  return (await readdir(join(root, 'snapshots')).catch(() => [])).filter((name) => /^[0-9a-f]{64}$/.test(name));
}

test('rmi -f of an image a running container uses only untags it', async (t) => {
  const agent = await agentWithBusybox(t, busybox);
  const short = busybox.id.slice(7, 19);
  await agent.docker(['run', '-d', '--name', 'runner', '--network', 'none', 'busybox', 'sleep', '1000']);

  assert.equal(await agent.docker(['rmi', '-f', 'busybox']), 'Untagged: busybox:latest\n');
  assert.equal((await agent.docker(['images', '-q', '--no-trunc'])).trim(), busybox.id, 'the image stays, untagged');
  assert.match(await agent.docker(['images', '--format', '{{.Repository}}:{{.Tag}}']), /^<none>:<none>\n$/);

  const byId = await agent.run(['rmi', '-f', short]);
  assert.notEqual(byId.code, 0);
  assert.match(byId.stderr, new RegExp(`unable to delete ${short} \\(cannot be forced\\) - image is being used by running container [0-9a-f]{12}`));

  // Once the container is gone, the untagged image can go, and its layers with it.
  await agent.docker(['rm', '-f', 'runner']);
  assert.equal(await agent.docker(['rmi', short]), `Deleted: ${busybox.id}\n`);
  assert.deepEqual(await snapshots(agent.root), [], 'no snapshot is left once nothing needs it');
});

test("rmi -f of a stopped container's image deletes it; the container keeps its layers and still starts", async (t) => {
  const agent = await agentWithBusybox(t, busybox);
  const short = busybox.id.slice(7, 19);
  await agent.docker(['create', '--name', 'later', '--network', 'none', 'busybox', 'echo', 'still here']);
  await agent.docker(['tag', 'busybox', 'another:name']);

  const notForced = await agent.run(['rmi', short]);
  assert.notEqual(notForced.code, 0);
  assert.match(notForced.stderr, /must be forced/);

  const removed = await agent.docker(['rmi', '-f', short]);
  assert.deepEqual(removed.trim().split('\n').sort(), ['Deleted: ' + busybox.id, 'Untagged: another:name', 'Untagged: busybox:latest'].sort());
  assert.equal(await agent.docker(['images', '-q']), '');
  assert.equal((await snapshots(agent.root)).length, 1, "the container's layer snapshot stays");

  assert.deepEqual(await agent.run(['start', '-a', 'later']), { code: 0, stdout: 'still here\n', stderr: '' });
  await agent.docker(['rm', 'later']);
  // The next collection (any rmi or prune) drops the snapshot nothing needs now.
  await agent.docker(['load', '-i', busybox.archive]);
  await agent.docker(['rmi', 'busybox']);
  assert.deepEqual(await snapshots(agent.root), []);
});
