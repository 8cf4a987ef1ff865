import assert from 'node:assert/strict';
import { chmod, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { ContentStore } from '../../../runtime/store/contentStore';
import type { Descriptor } from '../../../runtime/store/descriptor';
import { sha256Of } from '../../../runtime/store/digest';
import { collectGarbage, GcError } from '../../../runtime/store/gc';
import { ImageIndex } from '../../../runtime/store/imageIndex';
import { MediaTypes } from '../../../runtime/store/mediaTypes';
import { collect, entries, tempDir } from './helpers';

async function blob(store: ContentStore, content: string | Buffer, mediaType: string): Promise<Descriptor> {
  const { digest, size } = await store.put(Buffer.from(content));
  return { mediaType, digest, size };
}

async function image(store: ContentStore, name: string, layers: Descriptor[]): Promise<{ manifest: Descriptor; config: Descriptor }> {
  const config = await blob(store, JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, name }), MediaTypes.ociConfig);
  const manifest = await blob(store, JSON.stringify({ schemaVersion: 2, mediaType: MediaTypes.ociManifest, config, layers }), MediaTypes.ociManifest);
  return { manifest, config };
}

/** Makes every blob look old, so the grace-period test can make some young again. */
async function ageAll(store: ContentStore): Promise<void> {
  const old = new Date(Date.now() - 3600_000);
  for (const digest of await collect(store.list())) await utimes(store.path(digest), old, old);
}

async function fixture(t: TestContext) {
  const root = await tempDir(t);
  const store = await ContentStore.open(root);
  const index = new ImageIndex(root);
  const shared = await blob(store, 'shared layer', MediaTypes.ociLayerGzip);
  const onlyA = await blob(store, 'layer of A', MediaTypes.ociLayerGzip);
  const onlyB = await blob(store, 'layer of B', MediaTypes.ociLayerGzip);
  const a = await image(store, 'a', [shared, onlyA]);
  const b = await image(store, 'b', [shared, onlyB]);
  // B is multi-platform; its arm64 manifest was never pulled.
  const absentArm = { mediaType: MediaTypes.ociManifest, digest: sha256Of('arm64 manifest'), size: 10, platform: { architecture: 'arm64', os: 'linux' } };
  const bIndex = await blob(store, JSON.stringify({ schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests: [{ ...b.manifest, platform: { architecture: 'amd64', os: 'linux' } }, absentArm] }), MediaTypes.ociIndex);
  await index.set('a', a.manifest);
  await index.set('b', bIndex);
  const orphans = [await blob(store, 'orphan 1', MediaTypes.ociLayerGzip), await blob(store, 'orphan 22', MediaTypes.ociConfig)];
  return { root, store, index, shared, onlyA, onlyB, a, b, bIndex, absentArm, orphans };
}

test('gc removes only blobs that nothing references', async (t) => {
  const f = await fixture(t);
  const before = (await collect(f.store.list())).length;
  const result = await collectGarbage(f.store, f.index);
  assert.deepEqual(result.removed.sort(), f.orphans.map((d) => d.digest).sort());
  assert.equal(result.bytesFreed, 'orphan 1'.length + 'orphan 22'.length);
  assert.equal(result.kept, before - 2);
  assert.deepEqual(result.missing, [f.absentArm.digest]);
  for (const d of [f.shared, f.onlyA, f.onlyB, f.a.config, f.a.manifest, f.b.config, f.b.manifest, f.bIndex]) assert.equal(await f.store.has(d.digest), true);

  const again = await collectGarbage(f.store, f.index);
  assert.deepEqual(again.removed, []);
  assert.equal(again.bytesFreed, 0);
});

test('removing a name frees what only that image used', async (t) => {
  const f = await fixture(t);
  await f.index.delete('a');
  const result = await collectGarbage(f.store, f.index);
  assert.deepEqual(result.removed.sort(), [...f.orphans, f.onlyA, f.a.config, f.a.manifest].map((d) => d.digest).sort());
  assert.equal(await f.store.has(f.shared.digest), true, 'the layer B shares stays');
});

test('extra roots: a descriptor keeps its whole tree, a digest keeps one blob', async (t) => {
  const f = await fixture(t);
  await f.index.delete('a');
  await f.index.delete('b');
  const result = await collectGarbage(f.store, f.index, { roots: [f.a.manifest, f.orphans[0].digest] });
  assert.deepEqual(result.removed.sort(), [f.orphans[1], f.onlyB, f.b.config, f.b.manifest, f.bIndex].map((d) => d.digest).sort());
  for (const d of [f.a.manifest, f.a.config, f.shared, f.onlyA, f.orphans[0]]) assert.equal(await f.store.has(d.digest), true);
});

test('dry run reports without deleting; a grace period keeps young blobs', async (t) => {
  const f = await fixture(t);
  await ageAll(f.store);
  const fresh = await blob(f.store, 'written just now', MediaTypes.ociLayerGzip);
  const dry = await collectGarbage(f.store, f.index, { dryRun: true, gracePeriodMs: 60_000 });
  assert.deepEqual(dry.removed.sort(), f.orphans.map((d) => d.digest).sort());
  assert.deepEqual(dry.recent, [fresh.digest]);
  assert.equal(await f.store.has(f.orphans[0].digest), true, 'dry run deleted nothing');

  // Re-ingesting an old blob refreshes it, so a pull that finds a blob already stored is covered.
  await f.store.put(Buffer.from('orphan 1'));
  const real = await collectGarbage(f.store, f.index, { gracePeriodMs: 60_000 });
  assert.deepEqual(real.removed, [f.orphans[1].digest]);
  assert.deepEqual(real.recent.sort(), [fresh.digest, f.orphans[0].digest].sort());
});

test('gc never touches ingests in progress', async (t) => {
  const f = await fixture(t);
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let written!: () => void;
  const firstChunk = new Promise<void>((resolve) => (written = resolve));
  async function* slow(): AsyncGenerator<Uint8Array> {
    yield Buffer.from('in ');
    await gate;
    yield Buffer.from('progress');
  }
  const ingest = f.store.ingest(slow(), undefined, () => written());
  await firstChunk;
  await writeFile(join(f.store.ingestDir, 'crashed.partial'), 'left by another process');
  await collectGarbage(f.store, f.index);
  assert.equal((await entries(f.store.ingestDir)).length, 2);
  release();
  const { digest } = await ingest;
  assert.equal((await f.store.readBytes(digest)).toString(), 'in progress');
});

test('an unreadable manifest stops gc before it deletes anything', async (t) => {
  const f = await fixture(t);
  const path = f.store.path(f.a.manifest.digest);
  await chmod(path, 0o644);
  await writeFile(path, Buffer.alloc(f.a.manifest.size, 0x20));
  await assert.rejects(
    collectGarbage(f.store, f.index),
    (error: unknown) =>
      error instanceof GcError &&
      error.message.includes(`${f.a.manifest.digest} (reached from image docker.io/library/a:latest) cannot be read`) &&
      /is corrupt/.test(error.message) &&
      /before deleting anything/.test(error.message),
  );
  for (const d of f.orphans) assert.equal(await f.store.has(d.digest), true);
});

test('a manifest that parses but is not valid stops gc too', async (t) => {
  const f = await fixture(t);
  const bogus = await blob(f.store, JSON.stringify({ schemaVersion: 2, mediaType: MediaTypes.ociManifest, layers: [] }), MediaTypes.ociManifest);
  await f.index.set('bogus', bogus);
  await assert.rejects(collectGarbage(f.store, f.index), /a manifest must have a config descriptor/);
  assert.equal(await f.store.has(f.orphans[0].digest), true);
});
