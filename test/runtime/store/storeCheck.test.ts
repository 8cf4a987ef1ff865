// checkStore finds every way a store can be inconsistent, and nothing in a consistent one.
import assert from 'node:assert/strict';
import { truncate, unlink, writeFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { importRootfs } from '../../../runtime/image/importRootfs';
import { checkStore } from '../../../runtime/store/storeCheck';
import { parseManifest } from '../../../runtime/store/manifest';
import { rootfsTar, tempStore } from '../image/imageFixtures';

async function storeWithImage(t: Parameters<typeof tempStore>[0]) {
  const testStore = await tempStore(t);
  const result = await importRootfs(testStore.store, testStore.index, Readable.from([await rootfsTar()]), 'example/app:1');
  const parsed = parseManifest(await testStore.store.readBytes(result.manifest.digest), result.manifest.mediaType);
  assert.equal(parsed.kind, 'manifest');
  return { ...testStore, result, layer: parsed.kind === 'manifest' ? parsed.manifest.layers[0].digest : undefined! };
}

test('a store written by berth checks clean', async (t) => {
  const { store, index } = await storeWithImage(t);
  assert.deepEqual(await checkStore(store, index), { problems: [], blobs: 3, names: 1 });
});

test('a corrupt blob is named', async (t) => {
  const { store, index, layer } = await storeWithImage(t);
  await writeFile(store.path(layer), 'not the layer');
  const { problems } = await checkStore(store, index);
  assert.ok(problems.some((p) => p.startsWith(`blob ${layer}:`)), problems.join('\n'));
  assert.ok(problems.some((p) => p.startsWith('image docker.io/example/app:1:') && p.includes('bytes, its descriptor says')), problems.join('\n'));
});

test('a missing layer makes the image incomplete', async (t) => {
  const { store, index, layer } = await storeWithImage(t);
  await unlink(store.path(layer));
  const { problems } = await checkStore(store, index);
  assert.deepEqual(problems, [`image docker.io/example/app:1: application/vnd.oci.image.layer.v1.tar+gzip ${layer} is missing`]);
});

test('a truncated manifest is found both as a blob and as an image', async (t) => {
  const { store, index, result } = await storeWithImage(t);
  await truncate(store.path(result.manifest.digest), 10);
  const { problems } = await checkStore(store, index);
  assert.equal(problems.length, 2, problems.join('\n'));
});
