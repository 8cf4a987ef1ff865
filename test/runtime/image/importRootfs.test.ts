import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { importRootfs, IMPORT_CREATED_BY } from '../../../runtime/image/importRootfs';
import { ImageError } from '../../../runtime/image/imageError';
import { UNCOMPRESSED_SIZE_ANNOTATION } from '../../../runtime/image/imageWriter';
import { parseImageConfig } from '../../../runtime/store/imageConfig';
import { parseManifest } from '../../../runtime/store/manifest';
import { MediaTypes } from '../../../runtime/store/mediaTypes';
import { collect } from '../store/helpers';
import { rootfsTar, sha256, tempStore } from './imageFixtures';

test('import turns a tar into a one-layer image: diff_id is the tar digest, the layer gunzips to the tar, the name is set', async (t) => {
  const { store, index } = await tempStore(t);
  const rootfs = await rootfsTar();
  const created = new Date('2025-05-06T07:08:09.000Z');
  let progress = 0;
  const result = await importRootfs(store, index, Readable.from([rootfs.subarray(0, 700), rootfs.subarray(700)]), 'example/app:1', {
    created,
    message: 'from a test',
    onProgress: (bytes) => (progress = bytes),
  });

  assert.equal(result.ref, 'docker.io/example/app:1');
  assert.equal(result.diffId, sha256(rootfs));
  assert.equal(progress, rootfs.length);

  const configBytes = await store.readBytes(result.id);
  assert.equal(sha256(configBytes), result.id);
  const config = parseImageConfig(configBytes);
  assert.deepEqual(config.rootfs, { type: 'layers', diff_ids: [sha256(rootfs)] });
  assert.equal(config.architecture, 'amd64');
  assert.equal(config.os, 'linux');
  assert.equal(config.created, created.toISOString());
  assert.deepEqual(config.config, {});
  assert.deepEqual(config.history, [{ created: created.toISOString(), created_by: IMPORT_CREATED_BY, comment: 'from a test' }]);

  const parsed = parseManifest(await store.readBytes(result.manifest.digest), result.manifest.mediaType);
  assert.equal(parsed.kind, 'manifest');
  if (parsed.kind !== 'manifest') return;
  assert.equal(parsed.manifest.mediaType, MediaTypes.ociManifest);
  assert.deepEqual(parsed.manifest.config, { mediaType: MediaTypes.ociConfig, digest: result.id, size: configBytes.length });
  assert.equal(parsed.manifest.layers.length, 1);
  const [layer] = parsed.manifest.layers;
  assert.deepEqual(layer, result.layer);
  assert.equal(layer.mediaType, MediaTypes.ociLayerGzip);
  assert.equal(layer.annotations?.[UNCOMPRESSED_SIZE_ANNOTATION], String(rootfs.length));
  const blob = await store.readBytes(layer.digest);
  assert.equal(blob.length, layer.size);
  assert.deepEqual(gunzipSync(blob), rootfs);

  const record = await index.get('example/app:1');
  assert.deepEqual(record?.descriptor.digest, result.manifest.digest);
});

test('a gzip-compressed source is sniffed and gives the same diff_id and image as the plain tar', async (t) => {
  const { store, index } = await tempStore(t);
  const rootfs = await rootfsTar();
  const created = new Date(0);
  const plain = await importRootfs(store, index, Readable.from([rootfs]), 'plain', { created });
  const zipped = await importRootfs(store, index, Readable.from([gzipSync(rootfs)]), 'zipped', { created });
  assert.equal(zipped.diffId, plain.diffId);
  assert.equal(zipped.id, plain.id);
  assert.deepEqual((await index.get('zipped'))?.descriptor.digest, (await index.get('plain'))?.descriptor.digest);
});

test('import refuses what is not a tar, and a bad name before reading anything; nothing is named', async (t) => {
  const { store, index } = await tempStore(t);
  await assert.rejects(importRootfs(store, index, Readable.from([Buffer.from('hello, not a tar\n')]), 'x'), (error: unknown) => {
    assert.ok(error instanceof ImageError);
    assert.match(error.message, /is not a tar archive: its length \(17 bytes\)/);
    return true;
  });
  const garbage = Buffer.alloc(1024, 7);
  await assert.rejects(importRootfs(store, index, Readable.from([garbage]), 'x'), /first header block has a wrong checksum/);
  await assert.rejects(importRootfs(store, index, Readable.from([Buffer.alloc(0)]), 'x'), /is not a tar archive: it is empty/);
  await assert.rejects(importRootfs(store, index, Readable.from([Buffer.from('BZh91AY&SY')]), 'x'), /bzip2-compressed/);
  await assert.rejects(importRootfs(store, index, Readable.from([await rootfsTar()]), 'Bad:Name!'), /invalid image reference/);
  assert.deepEqual(await index.list(), []);
  // No layer blob was committed for any of them.
  assert.deepEqual(await collect(store.list()), []);
});
