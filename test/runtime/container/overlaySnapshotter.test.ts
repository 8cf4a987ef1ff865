// The snapshotter on a real kernel overlay: one unpack per layer even when asked concurrently,
// a container rootfs that sees the layers with whiteouts applied and writes only to its own
// upper dir, and removal that unmounts and deletes it.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { OverlaySnapshotter } from '../../../runtime/snapshot/overlaySnapshotter';
import type { Digest } from '../../../runtime/store/digest';
import { tarOf } from '../archive/archiveFixtures';
import { mountsUnder } from './containerHost';

async function tarFiles(files: Record<string, string>): Promise<Buffer> {
  return tarOf(Object.entries(files).map(([name, body]) => ({ header: { name, mode: 0o644 }, body })));
}

function layer(bytes: Buffer, opens: { count: number }) {
  return {
    diffId: `sha256:${createHash('sha256').update(bytes).digest('hex')}` as Digest,
    open: async () => {
      opens.count++;
      return bytes;
    },
  };
}

test('layers unpack once, rootfs overlays them, removal unmounts', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'berth-snap-'));
  t.after(async () => {
    if ((await mountsUnder(root)).length === 0) await rm(root, { recursive: true, force: true });
  });
  const snapshotter = new OverlaySnapshotter(root);
  const opens = { count: 0 };
  const bottom = layer(await tarFiles({ 'a.txt': 'a', 'gone.txt': 'x' }), opens);
  const top = layer(await tarFiles({ 'b.txt': 'b', '.wh.gone.txt': '' }), opens);

  // Concurrent requests for the same layers: each is extracted once.
  const [one, two] = await Promise.all([snapshotter.unpack([bottom, top]), snapshotter.unpack([bottom, top])]);
  assert.deepEqual(one, two);
  assert.equal(opens.count, 2);
  assert.equal((await readdir(join(root, 'snapshots'))).filter((n) => n.startsWith('.')).length, 0, 'no staging dirs left');

  const { rootfs } = await snapshotter.prepare('c1', [bottom, top]);
  assert.equal(opens.count, 2, 'prepare reuses the snapshots');
  assert.deepEqual((await readdir(rootfs)).sort(), ['a.txt', 'b.txt']);
  await writeFile(join(rootfs, 'new.txt'), 'n');
  assert.equal(await readFile(join(root, 'mounts', 'c1', 'upper', 'new.txt'), 'utf8'), 'n');
  assert.ok(!existsSync(join(one[1], 'new.txt')), 'snapshots stay untouched');
  assert.deepEqual(await mountsUnder(root), [rootfs]);

  await snapshotter.remove('c1');
  assert.deepEqual(await mountsUnder(root), []);
  assert.ok(!existsSync(join(root, 'mounts', 'c1')));
  await snapshotter.remove('c1'); // idempotent
});

test('a second snapshotter instance finds what another unpacked', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'berth-snap-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  const opens = { count: 0 };
  const only = layer(await tarFiles({ 'x': '1' }), opens);
  const [a, b] = await Promise.all([new OverlaySnapshotter(root).unpack([only]), new OverlaySnapshotter(root).unpack([only])]);
  assert.deepEqual(a, b);
  assert.deepEqual(await readdir(a[0]), ['x']);
  assert.deepEqual((await readdir(join(root, 'snapshots'))).length, 1);
});
