// The volume store on a temp dir: creation is all-or-nothing and idempotent, concurrent
// creations of one name agree, removal takes the data, records survive a reopen, crash
// left-overs are cleared, a broken record is reported and kept (never deleted), and a new
// volume's data dir belongs to container root through the id map.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { diskUsage } from '../../../runtime/volume/diskUsage';
import { VolumeStore } from '../../../runtime/volume/volumeStore';

async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-volstore-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const plain = { labels: {}, options: {}, anonymous: false };

test('create is idempotent, concurrent creates agree, remove takes the data', async (t) => {
  const dir = await tempDir(t);
  const store = await VolumeStore.open(dir);
  const first = await store.create({ name: 'data', ...plain, labels: { a: 'b' } });
  assert.equal(first.created, true);
  assert.match(first.record.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.deepEqual((await store.create({ name: 'data', ...plain })).record.labels, { a: 'b' }, 'the existing volume, unchanged');
  assert.equal((await stat(store.dataPath('data'))).isDirectory(), true);
  assert.equal(await store.isEmpty('data'), true);
  const racing = await Promise.all([1, 2, 3].map(() => store.create({ name: 'raced', ...plain })));
  assert.deepEqual(racing.map((r) => r.created).sort(), [false, false, true], 'one create wins, the others get its volume');
  assert.equal(new Set(racing.map((r) => r.record.createdAt)).size, 1);

  await writeFile(join(store.dataPath('data'), 'f'), 'x'.repeat(1000));
  assert.equal(await store.size('data'), 1000);
  await store.remove('data');
  assert.equal(existsSync(join(dir, 'data')), false);
  assert.equal(store.get('data'), undefined);
  await store.remove('data');

  await assert.rejects(store.create({ name: '../escape', ...plain }), /invalid volume name/);
  assert.deepEqual((await readdir(dir)).filter((e) => e.startsWith('.')), [], 'no staging or trash left');
});

test('records survive a reopen; crash left-overs go; a broken record is kept but not listed', async (t) => {
  const dir = await tempDir(t);
  const store = await VolumeStore.open(dir);
  await store.create({ name: 'kept', ...plain, anonymous: true });
  await mkdir(join(dir, '.staging-0123', '_data'), { recursive: true });
  await mkdir(join(dir, '.trash-4567'), { recursive: true });
  await mkdir(join(dir, 'broken', '_data'), { recursive: true });
  await writeFile(join(dir, 'broken', 'volume.json'), '{"name": "other"}');
  const again = await VolumeStore.open(dir);
  assert.deepEqual(again.list().map((v) => [v.name, v.anonymous]), [['kept', true]]);
  assert.deepEqual((await readdir(dir)).sort(), ['broken', 'kept'], 'left-overs cleared, the broken volume left for the user');
});

test('a new volume belongs to container root as the id map says', async (t) => {
  const dir = await tempDir(t);
  const store = await VolumeStore.open(dir, () => ({ uid: 100000, gid: 100000 }));
  await store.create({ name: 'mapped', ...plain });
  const info = await stat(store.dataPath('mapped'));
  assert.deepEqual([info.uid, info.gid, info.mode & 0o777], [100000, 100000, 0o755]);
});

test('diskUsage counts regular files, not links, and ignores a missing dir', async (t) => {
  const dir = await tempDir(t);
  await mkdir(join(dir, 'a', 'b'), { recursive: true });
  await writeFile(join(dir, 'a', 'one'), '12345');
  await writeFile(join(dir, 'a', 'b', 'two'), '123');
  assert.equal(await diskUsage(dir), 8);
  assert.equal(await diskUsage(join(dir, 'missing')), 0);
});
