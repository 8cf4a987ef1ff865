import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Descriptor } from '../../../runtime/store/descriptor';
import { sha256Of, type Digest } from '../../../runtime/store/digest';
import { CREATED_ANNOTATION, ImageIndex, ImageIndexError, REF_NAME_ANNOTATION } from '../../../runtime/store/imageIndex';
import { MediaTypes } from '../../../runtime/store/mediaTypes';
import { InvalidReferenceError } from '../../../runtime/store/references';
import { entries, tempDir } from './helpers';

const manifest = (n: number): Descriptor => ({ mediaType: MediaTypes.ociManifest, digest: sha256Of(`manifest ${n}`), size: 100 + n });
const fixedClock = () => new Date('2025-01-02T03:04:05.000Z');

test('a missing index.json is an empty index', async (t) => {
  const index = new ImageIndex(await tempDir(t));
  assert.deepEqual(await index.list(), []);
  assert.equal(await index.get('busybox'), undefined);
  assert.equal(await index.delete('busybox'), false);
});

test('set, get, byDigest, list and delete, with names in any Docker form', async (t) => {
  const root = await tempDir(t);
  const index = new ImageIndex(root, { now: fixedClock });
  const record = await index.set('busybox', manifest(1));
  assert.deepEqual(record, {
    name: 'docker.io/library/busybox:latest',
    descriptor: { ...manifest(1), annotations: { [REF_NAME_ANNOTATION]: 'docker.io/library/busybox:latest', [CREATED_ANNOTATION]: '2025-01-02T03:04:05.000Z' } },
    created: '2025-01-02T03:04:05.000Z',
  });
  await index.set('docker.io/library/busybox:1.36', manifest(1));
  await index.set('127.0.0.1:5000/app:dev', manifest(2));
  assert.deepEqual(await index.get('docker.io/library/busybox:latest'), record);
  assert.equal((await index.get('busybox:1.36'))?.descriptor.digest, manifest(1).digest);
  assert.deepEqual((await index.byDigest(manifest(1).digest)).map((r) => r.name), ['docker.io/library/busybox:latest', 'docker.io/library/busybox:1.36']);
  assert.equal(await index.delete('busybox:1.36'), true);
  assert.deepEqual((await index.list()).map((r) => r.name), ['docker.io/library/busybox:latest', '127.0.0.1:5000/app:dev']);

  // On disk it is an OCI image index, readable by other OCI tools.
  const onDisk = JSON.parse(await readFile(join(root, 'index.json'), 'utf8'));
  assert.equal(onDisk.schemaVersion, 2);
  assert.equal(onDisk.mediaType, MediaTypes.ociIndex);
  assert.equal(onDisk.manifests[1].annotations[REF_NAME_ANNOTATION], '127.0.0.1:5000/app:dev');
  assert.deepEqual(await entries(root), ['index.json', 'ingest']);
  assert.deepEqual(await entries(join(root, 'ingest')), [], 'no temp files left');
});

test('set replaces the name in place', async (t) => {
  const index = new ImageIndex(await tempDir(t));
  await index.set('a', manifest(1));
  await index.set('b', manifest(2));
  await index.set('a', manifest(3));
  const list = await index.list();
  assert.deepEqual(list.map((r) => [r.name, r.descriptor.digest]), [
    ['docker.io/library/a:latest', manifest(3).digest],
    ['docker.io/library/b:latest', manifest(2).digest],
  ]);
});

test('invalid names and descriptors are refused before anything is written', async (t) => {
  const root = await tempDir(t);
  const index = new ImageIndex(root);
  await assert.rejects(index.set('Bad Name', manifest(1)), InvalidReferenceError);
  await assert.rejects(index.set('ok', { ...manifest(1), digest: 'sha256:1234' as Digest }), /invalid descriptor for docker.io\/library\/ok:latest: descriptor.digest: invalid digest/);
  await assert.rejects(index.set('ok', { ...manifest(1), size: -5 }), /descriptor.size: must be a non-negative integer/);
  await assert.rejects(index.get('UPPER'), InvalidReferenceError);
  assert.deepEqual(await entries(root), []);
});

test('a corrupt index.json is a clear error, not an empty list', async (t) => {
  const root = await tempDir(t);
  const index = new ImageIndex(root);
  const path = join(root, 'index.json');
  await writeFile(path, '{"schemaVersion":2,"manifests":[');
  await assert.rejects(index.list(), (error: unknown) => error instanceof ImageIndexError && error.message.includes(`invalid image index ${path}: not valid JSON`) && /restore .* from a backup/.test(error.message));
  await assert.rejects(index.set('a', manifest(1)), ImageIndexError, 'a write does not paper over it');
  await writeFile(path, JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: MediaTypes.ociManifest, digest: 'sha256:zz', size: 1 }] }));
  await assert.rejects(index.list(), /manifests\[0\]\.digest: invalid digest/);
  await writeFile(path, JSON.stringify({ schemaVersion: 3, manifests: [] }));
  await assert.rejects(index.list(), /schemaVersion: must be 2, got 3/);
});

test('entries without a name (from another tool) are kept but not listed', async (t) => {
  const root = await tempDir(t);
  const unnamed = manifest(9);
  await writeFile(join(root, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [unnamed], annotations: { x: 'y' } }));
  const index = new ImageIndex(root);
  assert.deepEqual(await index.list(), []);
  await index.set('a', manifest(1));
  const onDisk = JSON.parse(await readFile(join(root, 'index.json'), 'utf8'));
  assert.deepEqual(onDisk.manifests[0], unnamed);
  assert.deepEqual(onDisk.annotations, { x: 'y' });
});

test('concurrent sets all land, also through two instances on the same root', async (t) => {
  const root = await tempDir(t);
  const first = new ImageIndex(root);
  const second = new ImageIndex(root);
  await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 ? first : second).set(`app${i}:v${i}`, manifest(i))));
  const list = await first.list();
  assert.equal(list.length, 60);
  for (let i = 0; i < 60; i++) assert.equal((await second.get(`app${i}:v${i}`))?.descriptor.digest, manifest(i).digest);
});

test('a failed update does not block the ones after it', async (t) => {
  const root = await tempDir(t);
  const index = new ImageIndex(root);
  await writeFile(join(root, 'index.json'), '{');
  await assert.rejects(index.set('a', manifest(1)), ImageIndexError);
  await writeFile(join(root, 'index.json'), '{"schemaVersion":2,"manifests":[]}');
  await index.set('a', manifest(1));
  assert.equal((await index.list()).length, 1);
});

test('readers never see a half-written index during updates', async (t) => {
  const root = await tempDir(t);
  const index = new ImageIndex(root);
  await index.set('seed', manifest(0));
  let writing = true;
  const writes = (async () => {
    await Promise.all(Array.from({ length: 150 }, (_, i) => index.set(`name${i}`, manifest(i))));
    writing = false;
  })();
  let reads = 0;
  while (writing) {
    const doc = JSON.parse(await readFile(join(root, 'index.json'), 'utf8')) as { manifests: unknown[] };
    assert.ok(doc.manifests.length >= 1);
    reads++;
  }
  await writes;
  assert.ok(reads > 0);
  assert.equal((await index.list()).length, 151);
});
