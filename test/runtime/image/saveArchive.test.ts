import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { ImageError } from '../../../runtime/image/imageError';
import { resolveImage } from '../../../runtime/image/imageInfo';
import { importRootfs } from '../../../runtime/image/importRootfs';
import { loadArchive } from '../../../runtime/image/loadArchive';
import { saveArchive } from '../../../runtime/image/saveArchive';
import { MediaTypes } from '../../../runtime/store/mediaTypes';
import { collect, filesOf, hex, legacyArchive, rootfsTar, sha256, tarOf, tempStore } from './imageFixtures';

const created = new Date('2025-01-01T00:00:00Z');

test('save writes an OCI layout plus manifest.json and repositories, all pointing into blobs/', async (t) => {
  const { store, index } = await tempStore(t);
  const rootfs = await rootfsTar();
  const imported = await importRootfs(store, index, Readable.from([rootfs]), 'busybox:berth', { created });
  await index.set('example.com/busybox:other', imported.manifest);

  const archive = await collect(await saveArchive(store, index, ['busybox:berth']));
  const { files, types } = await filesOf(archive);
  assert.equal(types.get('blobs/'), 'directory');
  assert.equal(files.get('oci-layout')?.toString(), '{"imageLayoutVersion":"1.0.0"}');
  for (const [name, body] of files) {
    if (name.startsWith('blobs/sha256/')) assert.equal(sha256(body), `sha256:${name.slice('blobs/sha256/'.length)}`, `${name} holds its digest's content`);
  }
  assert.deepEqual([...files.keys()].filter((n) => n.startsWith('blobs/')).sort(), [imported.manifest.digest, imported.id, imported.layer.digest].map((d) => `blobs/sha256/${hex(d)}`).sort());

  const indexJson = JSON.parse(files.get('index.json')!.toString());
  assert.deepEqual(indexJson, {
    schemaVersion: 2,
    mediaType: MediaTypes.ociIndex,
    manifests: [
      {
        ...imported.manifest,
        platform: { architecture: 'amd64', os: 'linux' },
        annotations: { 'io.containerd.image.name': 'docker.io/library/busybox:berth', 'org.opencontainers.image.ref.name': 'berth' },
      },
    ],
  });
  // Only the name asked for travels: not the image's other name.
  assert.deepEqual(JSON.parse(files.get('manifest.json')!.toString()), [
    { Config: `blobs/sha256/${hex(imported.id)}`, RepoTags: ['busybox:berth'], Layers: [`blobs/sha256/${hex(imported.layer.digest)}`] },
  ]);
  assert.deepEqual(JSON.parse(files.get('repositories')!.toString()), { busybox: { berth: hex(imported.layer.digest) } });

  // Saving the same thing twice gives the same bytes.
  assert.deepEqual(await collect(await saveArchive(store, index, ['busybox:berth'])), archive);
});

test('a bare repository saves all its tags; an image ID saves the image without a name', async (t) => {
  const { store, index } = await tempStore(t);
  const one = await importRootfs(store, index, Readable.from([await rootfsTar('1')]), 'app:1', { created });
  const two = await importRootfs(store, index, Readable.from([await rootfsTar('2')]), 'app:2', { created });
  await importRootfs(store, index, Readable.from([await rootfsTar('3')]), 'other:1', { created });

  const all = await filesOf(await collect(await saveArchive(store, index, ['app'])));
  const items = JSON.parse(all.files.get('manifest.json')!.toString()) as { Config: string; RepoTags: string[] }[];
  assert.deepEqual(items.map((i) => [i.Config, i.RepoTags]), [
    [`blobs/sha256/${hex(one.id)}`, ['app:1']],
    [`blobs/sha256/${hex(two.id)}`, ['app:2']],
  ]);

  const byId = await filesOf(await collect(await saveArchive(store, index, [one.id.slice(7, 19)])));
  assert.deepEqual(JSON.parse(byId.files.get('manifest.json')!.toString())[0].RepoTags, null);
  assert.equal(byId.files.has('repositories'), false);
  assert.deepEqual(JSON.parse(byId.files.get('index.json')!.toString()).manifests[0].annotations, undefined);
});

test('save fails before streaming when a name is unknown or a blob is missing', async (t) => {
  const { store, index } = await tempStore(t);
  const imported = await importRootfs(store, index, Readable.from([await rootfsTar()]), 'app:1', { created });
  await assert.rejects(saveArchive(store, index, ['nope:1']), (error: unknown) => error instanceof ImageError && error.code === 'not-found' && /no such image: nope:1/.test(error.message));
  await store.delete(imported.layer.digest);
  await assert.rejects(saveArchive(store, index, ['app:1']), /cannot save docker\.io\/library\/app:1: its layer 1 sha256:[0-9a-f]{64} is missing from the content store/);
});

test('round trip: import, save, load into a second store gives the same image ID, manifest and layers', async (t) => {
  const first = await tempStore(t);
  const second = await tempStore(t);
  const imported = await importRootfs(first.store, first.index, Readable.from([await rootfsTar()]), 'busybox:berth', { created });
  const lines: string[] = [];
  const result = await loadArchive(second.store, second.index, await saveArchive(first.store, first.index, ['busybox:berth']), { onProgress: (l) => lines.push(l) });
  assert.deepEqual(lines, ['Loaded image: busybox:berth']);
  assert.deepEqual(result.loaded, [{ ref: 'docker.io/library/busybox:berth', id: imported.id, manifest: imported.manifest }]);
  const image = await resolveImage(second.store, second.index, 'busybox:berth');
  assert.equal(image.id, imported.id);
  assert.deepEqual(image.manifest.layers, [imported.layer]);
  assert.deepEqual(await second.store.readBytes(imported.layer.digest), await first.store.readBytes(imported.layer.digest));
});

test('round trip of a loaded legacy image with two layers: the saved archive loads back to the same image', async (t) => {
  const first = await tempStore(t);
  const second = await tempStore(t);
  const fixture = legacyArchive([{ tags: ['two:layers'], layers: [await rootfsTar('a'), await rootfsTar('b')] }]);
  const loaded = await loadArchive(first.store, first.index, Readable.from([await tarOf(fixture.entries)]));
  const again = await loadArchive(second.store, second.index, await saveArchive(first.store, first.index, ['two:layers']));
  assert.deepEqual(again.loaded, loaded.loaded);
});

test('a consumer that stops reading early ends the save cleanly: no crash, no error left unhandled', async (t) => {
  const { store, index } = await tempStore(t);
  const big = await tarOf([{ header: { name: 'random' }, body: randomBytes(6 * 1024 * 1024) }]);
  await importRootfs(store, index, Readable.from([big]), 'big:1', { created });
  const stream = await saveArchive(store, index, ['big:1']);
  let read = 0;
  for await (const chunk of stream) {
    read += (chunk as Buffer).length;
    if (read > 1024 * 1024) break; // destroys the stream
  }
  // Breaking out of for-await destroys the stream (Node reports that as an AbortError on it).
  if (!stream.closed) await new Promise((resolve) => stream.once('close', resolve));
  assert.ok(read < big.length, 'the stream stopped before the end');
  // The store is untouched and a full save still works.
  const again = await filesOf(await collect(await saveArchive(store, index, ['big:1'])));
  assert.ok(again.files.has('manifest.json'));
});
