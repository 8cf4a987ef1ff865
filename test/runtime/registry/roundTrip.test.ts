// Push and pull against the real reference registry (docker-registry 2.8 on loopback, no auth):
// berth's busybox image out of one store and into a fresh one, by tag and by digest; repeated
// pulls and pushes that move nothing; cross-repository mounts; chunked uploads; OCI indexes and
// Docker manifest lists resolved to linux/amd64.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GcGate } from '../../../runtime/engine/gate';
import { readImage } from '../../../runtime/image/imageInfo';
import { MemoryBlobSources } from '../../../runtime/registry/blobSources';
import { staticCredentials } from '../../../runtime/registry/credentials';
import { shortId } from '../../../runtime/registry/progress';
import { RegistryClient } from '../../../runtime/registry/registryClient';
import { RegistryError } from '../../../runtime/registry/registryError';
import { collectGarbage } from '../../../runtime/store/gc';
import { startReferenceRegistry, type ReferenceRegistry } from './referenceRegistry';
import { assertNoPartialBlobs, importBusybox, indexOf, openStore, progressRecorder, storeImage, syntheticImage, tempDir, type TestStore } from './registryFixtures';

const anonymous = staticCredentials('nowhere.invalid', {});

describe('registry client against docker-registry', () => {
  let registry: ReferenceRegistry;
  let workDir: string;
  let source: TestStore;
  let busybox: { id: string; manifest: { digest: string } };
  const cleanups: (() => Promise<void>)[] = [];

  before(async () => {
    registry = await startReferenceRegistry();
    workDir = await tempDir({ after: (fn: () => Promise<void>) => void cleanups.push(fn) });
    source = await openStore(`${workDir}/source`);
    busybox = await importBusybox(workDir, source, `${registry.host}/berth/busybox:1`);
  });
  after(async () => {
    await registry?.stop();
    for (const fn of cleanups) await fn();
  });

  function client(target: TestStore, extra: Partial<ConstructorParameters<typeof RegistryClient>[0]> = {}): RegistryClient {
    const made = new RegistryClient({ store: target.store, index: target.index, credentials: anonymous, ...extra });
    cleanups.push(async () => made.close());
    return made;
  }

  test('push, then pull into a fresh store: same manifest, same image ID, readable image', async (t) => {
    const ref = `${registry.host}/berth/busybox:1`;
    const pushProgress = progressRecorder();
    const pushed = await client(source).push(ref, { onProgress: pushProgress.onProgress });
    assert.equal(pushed.digest, busybox.manifest.digest);
    const layerId = pushProgress.events.find((e) => e.status === 'Pushed')?.id;
    assert.ok(layerId !== undefined, `expected a Pushed line, got ${JSON.stringify(pushProgress.statuses())}`);
    assert.deepEqual(pushProgress.statuses(layerId), ['Preparing', ...pushProgress.statuses(layerId).filter((s) => s === 'Pushing'), 'Pushed']);
    assert.equal(pushProgress.events[0].status, `The push refers to repository [${registry.host}/berth/busybox]`);
    assert.equal(pushProgress.events.at(-1)?.status, `1: digest: ${pushed.digest} size: ${pushed.size}`);

    const target = await openStore(await tempDir(t));
    const gate = new GcGate();
    const pullProgress = progressRecorder();
    const pulled = await client(target, { gate }).pull(ref, { onProgress: pullProgress.onProgress });
    assert.equal(pulled.descriptor.digest, busybox.manifest.digest);
    assert.equal(pulled.id, busybox.id);
    assert.equal(pulled.upToDate, false);
    const documents = await readImage(target.store, (await target.index.get(ref))!.descriptor);
    assert.equal(documents.id, busybox.id);
    const layer = shortId(documents.manifest.layers[0].digest);
    const layerStatuses = pullProgress.statuses(layer).filter((s) => s !== 'Downloading');
    assert.deepEqual(layerStatuses, ['Pulling fs layer', 'Verifying Checksum', 'Download complete', 'Pull complete']);
    assert.ok(pullProgress.events.some((e) => e.id === layer && e.status === 'Downloading' && e.current === documents.manifest.layers[0].size));
    assert.equal(pullProgress.events[0].status, 'Pulling from berth/busybox');
    assert.deepEqual(pullProgress.statuses().slice(-2), [`Digest: ${pulled.descriptor.digest}`, `Status: Downloaded newer image for ${registry.host}/berth/busybox:1`]);
    // Every blob the name reaches is there: gc keeps all of them and finds nothing missing.
    const gc = await collectGarbage(target.store, target.index, { dryRun: true });
    assert.deepEqual(gc.removed, []);
    assert.deepEqual(gc.missing, []);
    await assertNoPartialBlobs(target);
  });

  test('a repeated pull reuses the verified blobs and says the image is up to date', async (t) => {
    const ref = `${registry.host}/berth/busybox:1`;
    await client(source).push(ref);
    const target = await openStore(await tempDir(t));
    const first = await client(target).pull(ref);
    assert.ok(first.downloaded.length >= 2);
    const progress = progressRecorder();
    const second = await client(target).pull(ref, { onProgress: progress.onProgress });
    assert.deepEqual(second.downloaded, []);
    assert.equal(second.upToDate, true);
    assert.ok(progress.statuses().includes('Already exists'));
    assert.equal(progress.statuses().at(-1), `Status: Image is up to date for ${registry.host}/berth/busybox:1`);
  });

  test('pull by digest names name@digest and checks the manifest hashes to it', async (t) => {
    const ref = `${registry.host}/berth/busybox:1`;
    const pushed = await client(source).push(ref);
    const target = await openStore(await tempDir(t));
    const byDigest = `${registry.host}/berth/busybox@${pushed.digest}`;
    const pulled = await client(target).pull(byDigest);
    assert.equal(pulled.name, byDigest);
    assert.equal((await target.index.get(byDigest))?.descriptor.digest, pushed.digest);
    assert.equal(await target.index.get(ref), undefined);

    const absent = `${registry.host}/berth/busybox@sha256:${'0'.repeat(64)}`;
    await assert.rejects(client(target).pull(absent), (error: unknown) => {
      assert.ok(error instanceof RegistryError);
      assert.equal(error.code, 'not-found');
      assert.match(error.message, /MANIFEST_UNKNOWN/);
      assert.match(error.message, new RegExp(`registry ${registry.host.replace(/\./g, '\\.')}`));
      return true;
    });
  });

  test('pushing again skips every blob the registry has; another repository mounts them', async () => {
    const sources = new MemoryBlobSources();
    const c = client(source, { sources });
    await c.push(`${registry.host}/berth/busybox:1`);
    const again = progressRecorder();
    const second = await c.push(`${registry.host}/berth/busybox:1`, { onProgress: again.onProgress });
    assert.deepEqual(second.pushed, []);
    assert.equal(second.existed.length, 2);
    assert.ok(again.statuses().includes('Layer already exists'));

    await source.index.set(`${registry.host}/other/copy:2`, (await source.index.get(`${registry.host}/berth/busybox:1`))!.descriptor);
    const mountProgress = progressRecorder();
    const mounted = await c.push(`${registry.host}/other/copy:2`, { onProgress: mountProgress.onProgress });
    assert.deepEqual(mounted.pushed, []);
    assert.equal(mounted.mounted.length, 2);
    assert.ok(mounted.mounted.every((m) => m.from === 'berth/busybox'));
    assert.ok(mountProgress.statuses().includes('Mounted from berth/busybox'));

    // The mounted copy is a complete image: it pulls into a fresh store.
    const target = await openStore(`${workDir}/mounted-pull`);
    const pulled = await client(target).pull(`${registry.host}/other/copy:2`);
    assert.equal(pulled.id, busybox.id);
  });

  test('chunked uploads (PATCH with Content-Range) round-trip', async (t) => {
    const image = syntheticImage({ layerSizes: [300_000, 10], seed: 7, compressed: false });
    const ref = `${registry.host}/berth/chunked:1`;
    const local = await openStore(await tempDir(t));
    await storeImage(local, image, ref);
    const pushed = await client(local).push(ref, { chunkSize: 64 * 1024 });
    assert.equal(pushed.pushed.length, 3);
    const target = await openStore(await tempDir(t));
    const pulled = await client(target).pull(ref);
    assert.equal(pulled.descriptor.digest, image.manifest.digest);
    assert.deepEqual(await target.store.readBytes(image.layers[0].descriptor.digest), image.layers[0].bytes);
  });

  for (const docker of [false, true]) {
    test(`${docker ? 'a Docker manifest list' : 'an OCI index'} resolves to linux/amd64 and the name points at the index`, async (t) => {
      const amd64 = syntheticImage({ docker, seed: docker ? 21 : 11 });
      const arm64 = syntheticImage({ docker, seed: docker ? 22 : 12, platform: { os: 'linux', architecture: 'arm64' } });
      const index = indexOf([{ image: arm64, platform: { os: 'linux', architecture: 'arm64' } }, { image: amd64, platform: { os: 'linux', architecture: 'amd64' } }], docker);
      const local = await openStore(await tempDir(t));
      await storeImage(local, amd64);
      await storeImage(local, arm64);
      await local.store.put(index.bytes);
      const ref = `${registry.host}/berth/multi:${docker ? 'docker' : 'oci'}`;
      await local.index.set(ref, index.descriptor);
      const pushed = await client(local).push(ref);
      assert.equal(pushed.digest, index.descriptor.digest);

      const target = await openStore(await tempDir(t));
      const pulled = await client(target).pull(ref);
      assert.equal(pulled.descriptor.digest, index.descriptor.digest);
      assert.equal(pulled.descriptor.mediaType, index.descriptor.mediaType);
      assert.equal(pulled.manifest.digest, amd64.manifest.digest);
      assert.equal(await target.store.has(arm64.manifest.digest), false);
      assert.equal(await target.store.has(arm64.layers[0].descriptor.digest), false);
      const documents = await readImage(target.store, pulled.descriptor, { os: 'linux', architecture: 'amd64' });
      assert.equal(documents.id, amd64.config.digest);
    });
  }

  test('an index without linux/amd64 is refused before any blob is fetched', async (t) => {
    const arm = syntheticImage({ seed: 31, platform: { os: 'linux', architecture: 'arm64' } });
    const index = indexOf([{ image: arm, platform: { os: 'linux', architecture: 'arm64' } }]);
    const local = await openStore(await tempDir(t));
    await storeImage(local, arm);
    await local.store.put(index.bytes);
    const ref = `${registry.host}/berth/armonly:1`;
    await local.index.set(ref, index.descriptor);
    await client(local).push(ref);
    const target = await openStore(await tempDir(t));
    await assert.rejects(client(target).pull(ref), /has no image for linux\/amd64 \(the index offers: linux\/arm64\)/);
    assert.deepEqual(await target.index.list(), []);
  });

  test('pushing an image with a blob missing from the store fails before anything is sent', async (t) => {
    const image = syntheticImage({ seed: 33 });
    const local = await openStore(await tempDir(t));
    await storeImage(local, image, `${registry.host}/berth/incomplete:1`);
    await local.store.delete(image.layers[1].descriptor.digest);
    await assert.rejects(client(local).push(`${registry.host}/berth/incomplete:1`), new RegExp(`its blob ${image.layers[1].descriptor.digest} is missing from the local store or damaged; pull, load or build the image again`));
    const target = await openStore(await tempDir(t));
    await assert.rejects(client(target).pull(`${registry.host}/berth/incomplete:1`), (error: unknown) => error instanceof RegistryError && error.code === 'not-found');
  });

  test('pushing a name that is not in the store says how to make it', async () => {
    await assert.rejects(client(source).push(`${registry.host}/berth/nothing:1`), /no local image is named .*berth\/nothing:1; tag the image you mean first/);
  });
});
