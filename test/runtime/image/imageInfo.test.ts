import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { ImageError } from '../../../runtime/image/imageError';
import { imageHistory, imageSize, readCatalog, resolveImage, summarizeImage } from '../../../runtime/image/imageInfo';
import { importRootfs } from '../../../runtime/image/importRootfs';
import { loadArchive } from '../../../runtime/image/loadArchive';
import { MediaTypes } from '../../../runtime/store/mediaTypes';
import { legacyArchive, rootfsTar, sha256, tarOf, tempStore } from './imageFixtures';

const created = new Date('2025-01-01T00:00:00Z');

test('resolve finds an image by name, full ID, short ID and name@digest; names group by image ID', async (t) => {
  const { store, index } = await tempStore(t);
  const a = await importRootfs(store, index, Readable.from([await rootfsTar('a')]), 'busybox', { created });
  await index.set('example.com/mirror/busybox:1', a.manifest);
  const b = await importRootfs(store, index, Readable.from([await rootfsTar('b')]), 'other:1', { created });

  for (const input of ['busybox', 'busybox:latest', 'docker.io/library/busybox:latest', a.id, a.id.slice(7), a.id.slice(7, 19), `busybox@${a.manifest.digest}`]) {
    const image = await resolveImage(store, index, input);
    assert.equal(image.id, a.id, input);
    assert.deepEqual(image.names, ['docker.io/library/busybox:latest', 'example.com/mirror/busybox:1']);
  }
  assert.equal((await resolveImage(store, index, 'other:1')).id, b.id);
  await assert.rejects(resolveImage(store, index, 'nope'), (e: unknown) => e instanceof ImageError && e.code === 'not-found' && /no such image: nope/.test(e.message));
  // Among 17 images two IDs share a first hex digit: that digit alone is ambiguous.
  const seen = new Map<string, string>([[a.id[7], a.id], [b.id[7], b.id]]);
  let shared = a.id[7] === b.id[7] ? a.id[7] : undefined;
  for (let n = 0; shared === undefined; n++) {
    const image = await importRootfs(store, index, Readable.from([await rootfsTar('a')]), `many:${n}`, { created: new Date(n * 1000) });
    if (seen.has(image.id[7])) shared = image.id[7];
    seen.set(image.id[7], image.id);
  }
  await assert.rejects(resolveImage(store, index, shared), (e: unknown) => e instanceof ImageError && e.code === 'ambiguous' && /is the start of \d+ image IDs/.test(e.message));
});

test('summary: repo tags and digests in familiar form, untagged names hidden, exact uncompressed size', async (t) => {
  const { store, index } = await tempStore(t);
  const rootfs = await rootfsTar();
  const a = await importRootfs(store, index, Readable.from([rootfs]), 'busybox:berth', { created, config: { Cmd: ['sh'], Labels: { team: 'x' } } });
  await index.set(`busybox@${a.manifest.digest}`, a.manifest);
  await index.set(`io.berth/untagged@${a.manifest.digest}`, a.manifest);
  const summary = summarizeImage(await resolveImage(store, index, 'busybox:berth'));
  assert.deepEqual(summary.repoTags, ['busybox:berth']);
  assert.deepEqual(summary.repoDigests, [`busybox@${a.manifest.digest}`]);
  assert.equal(summary.names.length, 3);
  assert.equal(summary.size, rootfs.length);
  assert.equal(summary.sizeIsExact, true);
  assert.equal(summary.created, created.toISOString());
  assert.deepEqual(summary.labels, { team: 'x' });
  assert.deepEqual(summary.config.Cmd, ['sh']);
  assert.equal(summary.architecture, 'amd64');
});

test('size falls back to compressed sizes where the uncompressed size is unknown, and says so', () => {
  const layer = (mediaType: string, size: number, annotations?: Record<string, string>) => ({ mediaType, digest: sha256(String(size)), size, ...(annotations ? { annotations } : {}) });
  const config = { mediaType: MediaTypes.ociConfig, digest: sha256('c'), size: 1 };
  assert.deepEqual(imageSize({ schemaVersion: 2, config, layers: [layer(MediaTypes.ociLayer, 100), layer(MediaTypes.ociLayerGzip, 40, { 'io.berth.layer.uncompressed-size': '90' })] }), { size: 190, exact: true });
  assert.deepEqual(imageSize({ schemaVersion: 2, config, layers: [layer(MediaTypes.ociLayer, 100), layer(MediaTypes.dockerLayerGzip, 40)] }), { size: 140, exact: false });
});

test('history lists steps newest first, with layer sizes, the ID and tags on the newest, empty steps sized 0', async (t) => {
  const { store, index } = await tempStore(t);
  const base = await rootfsTar('base');
  const top = await rootfsTar('top-has-more-bytes'.repeat(40));
  const fixture = legacyArchive([{ tags: ['hist:1'], layers: [base, top] }]);
  await loadArchive(store, index, Readable.from([await tarOf(fixture.entries)]));
  const history = imageHistory(await resolveImage(store, index, 'hist:1'));
  assert.deepEqual(
    history.map((h) => [h.id, h.createdBy, h.size, h.tags]),
    [
      [fixture.ids[0], 'step 2', top.length, ['hist:1']],
      ['<missing>', 'step 1', base.length, []],
    ],
  );

  const imported = await importRootfs(store, index, Readable.from([base]), 'imp:1', { created, message: 'hello' });
  const one = imageHistory(await resolveImage(store, index, imported.id));
  assert.deepEqual(one, [{ id: imported.id, created: created.toISOString(), createdBy: 'berth import', comment: 'hello', size: base.length, emptyLayer: false, tags: ['imp:1'] }]);
});

test('the catalog lists a name whose blobs are gone as unreadable instead of failing the whole listing', async (t) => {
  const { store, index } = await tempStore(t);
  const a = await importRootfs(store, index, Readable.from([await rootfsTar('a')]), 'good:1', { created });
  const b = await importRootfs(store, index, Readable.from([await rootfsTar('b')]), 'broken:1', { created });
  await store.delete(b.manifest.digest);
  const catalog = await readCatalog(store, index);
  assert.deepEqual(catalog.images.map((i) => i.id), [a.id]);
  assert.equal(catalog.unreadable.length, 1);
  assert.equal(catalog.unreadable[0].name, 'docker.io/library/broken:1');
  assert.match(catalog.unreadable[0].reason, /is not in the content store/);
  await assert.rejects(resolveImage(store, index, 'broken:1'), /image docker\.io\/library\/broken:1 cannot be read: blob sha256:[0-9a-f]+ is not in the content store/);
});
