// Pulls from a registry that lies (lyingRegistry.ts): every fault must fail with an error that
// names the registry, repository and digest, and leave no name and no partial file in the
// store. Also: credentials never follow a redirect to another host, plain HTTP is refused for
// hosts that are not loopback, and a pull can be cancelled mid-blob.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import type { TestContext } from 'node:test';
import { describe, test } from 'node:test';
import { staticCredentials } from '../../../runtime/registry/credentials';
import { RegistryClient } from '../../../runtime/registry/registryClient';
import { RegistryError, type RegistryErrorCode } from '../../../runtime/registry/registryError';
import { sha256Of } from '../../../runtime/store/digest';
import { MediaTypes } from '../../../runtime/store/mediaTypes';
import { startBlobStorage, startLyingRegistry, type LyingRegistry, type LyingRegistryOptions } from './lyingRegistry';
import { shortId } from '../../../runtime/registry/progress';
import { assertNoPartialBlobs, assertNotNamed, indexOf, openStore, progressRecorder, storeImage, syntheticImage, tempDir, type TestStore } from './registryFixtures';

const image = syntheticImage({ seed: 61, layerSizes: [5000, 200_000] });
const big = image.layers[1];
const USER = { username: 'alice', password: 'pw' };

async function setup(t: TestContext, options: Partial<LyingRegistryOptions> = {}): Promise<{ registry: LyingRegistry; target: TestStore; client: RegistryClient; ref: string }> {
  const registry = await startLyingRegistry({ image, ...options });
  t.after(() => registry.close());
  const target = await openStore(await tempDir(t));
  const client = new RegistryClient({ store: target.store, index: target.index, credentials: staticCredentials(registry.host, USER), retry: { attempts: 2, delayMs: 0 } });
  t.after(() => client.close());
  return { registry, target, client, ref: `${registry.host}/lies/app:latest` };
}

function failsWith(code: RegistryErrorCode, pattern: RegExp) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof RegistryError, `expected a RegistryError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    assert.match(error.message, pattern);
    return true;
  };
}

async function assertClean(target: TestStore, ref: string): Promise<void> {
  await assertNotNamed(target, ref);
  await assertNoPartialBlobs(target);
}

describe('a lying registry', () => {
  test('the honest baseline pulls', async (t) => {
    const { client, ref, target } = await setup(t);
    const pulled = await client.pull(ref);
    assert.equal(pulled.descriptor.digest, image.manifest.digest);
    assert.ok(await target.index.get(ref));
  });

  test('a damaged local copy of a blob (wrong size) is downloaded again, not reused', async (t) => {
    const { client, ref, target } = await setup(t);
    await mkdir(target.store.blobsDir, { recursive: true });
    await writeFile(target.store.path(big.descriptor.digest), big.bytes.subarray(0, 10));
    const pulled = await client.pull(ref);
    assert.ok(pulled.downloaded.includes(big.descriptor.digest));
    assert.deepEqual(await target.store.readBytes(big.descriptor.digest), big.bytes);
  });

  test('a blob whose bytes do not match its digest', async (t) => {
    const { registry, client, ref, target } = await setup(t);
    const forged = Buffer.from(big.bytes);
    forged[1000] ^= 0xff;
    registry.override((req, res, path) => {
      if (!path.endsWith(big.descriptor.digest)) return false;
      res.writeHead(200, { 'content-length': forged.length }).end(forged);
      return true;
    });
    await assert.rejects(client.pull(ref), failsWith('untrusted-content', new RegExp(`sent bad data for blob ${big.descriptor.digest} of lies/app: content does not match its digest`)));
    await assertClean(target, ref);
    assert.equal(await target.store.has(big.descriptor.digest), false);
  });

  test('a manifest with a wrong Docker-Content-Digest', async (t) => {
    const { registry, client, ref, target } = await setup(t);
    registry.override((req, res, path) => {
      if (!path.endsWith('/manifests/latest')) return false;
      res.writeHead(200, { 'content-type': image.manifest.mediaType, 'docker-content-digest': sha256Of('something else') }).end(image.manifestBytes);
      return true;
    });
    await assert.rejects(client.pull(ref), failsWith('untrusted-content', /Docker-Content-Digest header says sha256:[0-9a-f]{64} but the bytes hash to/));
    await assertClean(target, ref);
  });

  test('a pull by digest answered with another manifest', async (t) => {
    const other = syntheticImage({ seed: 62 });
    const { registry, client, target } = await setup(t);
    registry.override((req, res, path) => {
      if (!path.includes('/manifests/')) return false;
      res.writeHead(200, { 'content-type': other.manifest.mediaType }).end(other.manifestBytes);
      return true;
    });
    const ref = `${registry.host}/lies/app@${image.manifest.digest}`;
    await assert.rejects(client.pull(ref), failsWith('untrusted-content', new RegExp(`hashes to ${other.manifest.digest}, not the ${image.manifest.digest} asked for`)));
    await assertClean(target, ref);
  });

  test('an oversized blob, announced by Content-Length', async (t) => {
    const { registry, client, ref, target } = await setup(t);
    registry.override((req, res, path) => {
      if (!path.endsWith(big.descriptor.digest)) return false;
      const bigger = Buffer.concat([big.bytes, Buffer.alloc(4096)]);
      res.writeHead(200, { 'content-length': bigger.length }).end(bigger);
      return true;
    });
    await assert.rejects(client.pull(ref), failsWith('untrusted-content', new RegExp(`offers ${big.descriptor.size + 4096} bytes for blob ${big.descriptor.digest} .* says it has ${big.descriptor.size}; refusing the oversized blob`)));
    await assertClean(target, ref);
  });

  test('an oversized blob without Content-Length is cut off at the descriptor size', async (t) => {
    const { registry, client, ref, target } = await setup(t);
    let written = 0;
    registry.override((req, res, path) => {
      if (!path.endsWith(big.descriptor.digest)) return false;
      res.writeHead(200, { 'transfer-encoding': 'chunked' });
      // An endless blob: it must be stopped by the reader, not by running out.
      const chunk = Buffer.alloc(64 * 1024, 7);
      const pump = () => {
        while (!res.destroyed && res.write(chunk)) written += chunk.length;
        if (!res.destroyed) res.once('drain', pump);
      };
      res.once('close', () => res.removeAllListeners('drain'));
      pump();
      return true;
    });
    await assert.rejects(client.pull(ref), failsWith('untrusted-content', new RegExp(`blob ${big.descriptor.digest} is larger than its expected ${big.descriptor.size} bytes`)));
    await assertClean(target, ref);
    assert.ok(written < 64 * 1024 * 1024, 'the reader stopped the endless blob early');
  });

  test('a truncated stream (connection dropped mid-blob)', async (t) => {
    const { registry, client, ref, target } = await setup(t);
    registry.override((req, res, path) => {
      if (!path.endsWith(big.descriptor.digest)) return false;
      res.writeHead(200, { 'content-length': big.bytes.length });
      res.write(big.bytes.subarray(0, 50_000), () => res.socket?.destroy());
      return true;
    });
    await assert.rejects(client.pull(ref), (error: unknown) => {
      assert.ok(error instanceof RegistryError);
      assert.match(error.message, new RegExp(`blob ${big.descriptor.digest}`));
      assert.match(error.message, /interrupted|ended early/);
      return true;
    });
    await assertClean(target, ref);
    // The next (honest) pull resumes: the small layer and config already verified are reused.
    registry.override(undefined);
    const resumed = await client.pull(ref);
    assert.ok(resumed.reused.includes(image.config.digest));
    assert.deepEqual(resumed.downloaded, [big.descriptor.digest]);
  });

  test('a dropped connection is retried and the pull completes', async (t) => {
    const { registry, client, ref, target } = await setup(t);
    let dropped = 0;
    registry.override((req, res, path) => {
      if (!path.endsWith(big.descriptor.digest) || dropped > 0) return false;
      dropped++;
      res.writeHead(200, { 'content-length': big.bytes.length });
      res.write(big.bytes.subarray(0, 50_000), () => res.socket?.destroy());
      return true;
    });
    const progress = progressRecorder();
    const pulled = await client.pull(ref, { onProgress: progress.onProgress });
    assert.equal(dropped, 1);
    assert.ok(progress.statuses(shortId(big.descriptor.digest)).includes('Retrying in 0 seconds'));
    assert.deepEqual(await target.store.readBytes(big.descriptor.digest), big.bytes);
    assert.equal(pulled.descriptor.digest, image.manifest.digest);
    await assertNoPartialBlobs(target);
  });

  test('a manifest served as an index (Content-Type contradicts the body)', async (t) => {
    const { registry, client, ref, target } = await setup(t);
    registry.override((req, res, path) => {
      if (!path.endsWith('/manifests/latest')) return false;
      res.writeHead(200, { 'content-type': MediaTypes.ociIndex }).end(image.manifestBytes);
      return true;
    });
    await assert.rejects(client.pull(ref), failsWith('untrusted-content', /the document says application\/vnd\.oci\.image\.manifest\.v1\+json but it was fetched as application\/vnd\.oci\.image\.index\.v1\+json/));
    await assertClean(target, ref);
  });

  test('a document that is both an index and a manifest', async (t) => {
    const { registry, client, ref, target } = await setup(t);
    const confused = Buffer.from(JSON.stringify({ ...JSON.parse(image.manifestBytes.toString()), mediaType: undefined, manifests: [] }));
    registry.override((req, res, path) => {
      if (!path.endsWith('/manifests/latest')) return false;
      res.writeHead(200, { 'content-type': 'application/json' }).end(confused);
      return true;
    });
    await assert.rejects(client.pull(ref), failsWith('untrusted-content', /could be read as an index or as a manifest/));
    await assertClean(target, ref);
  });

  test('an index entry whose manifest is of another type than the index says', async (t) => {
    const dockerImage = syntheticImage({ seed: 63, docker: true });
    const index = indexOf([{ image: { ...dockerImage, manifest: { ...dockerImage.manifest, mediaType: MediaTypes.ociManifest } }, platform: { os: 'linux', architecture: 'amd64' } }]);
    const { registry, client, ref, target } = await setup(t, { documents: [{ digest: dockerImage.manifest.digest, bytes: dockerImage.manifestBytes, mediaType: MediaTypes.dockerManifest }] });
    registry.override((req, res, path) => {
      if (!path.endsWith('/manifests/latest')) return false;
      res.writeHead(200, { 'content-type': MediaTypes.ociIndex }).end(index.bytes);
      return true;
    });
    await assert.rejects(client.pull(ref), failsWith('untrusted-content', /the index lists it as application\/vnd\.oci\.image\.manifest\.v1\+json, but it is application\/vnd\.docker\.distribution\.manifest\.v2\+json/));
    await assertClean(target, ref);
  });

  test("the registry's error body reaches the user", async (t) => {
    const { registry, client, target } = await setup(t);
    const ref = `${registry.host}/lies/app:missing`;
    await assert.rejects(client.pull(ref), failsWith('not-found', /registry 127\.0\.0\.1:\d+ answered 404 for manifest missing in lies\/app: MANIFEST_UNKNOWN \(manifest unknown\); check the repository name and tag/));
    await assertClean(target, ref);
  });

  test('a redirect to another host gets no credentials', async (t) => {
    const storage = await startBlobStorage(new Map(image.layers.map((l) => [l.descriptor.digest, l.bytes])));
    t.after(() => storage.close());
    const { registry, client, ref } = await setup(t, { basicAuth: USER });
    registry.override((req, res, path) => {
      const layer = image.layers.find((l) => path.endsWith(`/blobs/${l.descriptor.digest}`));
      if (layer === undefined) return false;
      res.writeHead(307, { location: `${storage.origin}/${layer.descriptor.digest}` }).end();
      return true;
    });
    const pulled = await client.pull(ref);
    assert.equal(pulled.descriptor.digest, image.manifest.digest);
    assert.equal(storage.requests.length, 2);
    assert.ok(storage.requests.every((r) => r.authorization === undefined), 'blob storage must not see the registry credentials');
    assert.ok(registry.requests.some((r) => r.path.includes('/blobs/') && r.authorization?.startsWith('Basic ')), 'the registry itself did get them');
  });

  test('a redirect to plain HTTP on a host that is not loopback is refused without connecting', async (t) => {
    const { registry, client, ref, target } = await setup(t);
    registry.override((req, res, path) => {
      if (!path.endsWith(big.descriptor.digest)) return false;
      res.writeHead(302, { location: 'http://blobs.example.invalid/x' }).end();
      return true;
    });
    await assert.rejects(client.pull(ref), failsWith('insecure', /refusing a GET request over http to blobs\.example\.invalid: only https is allowed/));
    await assertClean(target, ref);
  });

  test('a pull cancelled mid-blob stops, leaving no name and no partial file', async (t) => {
    const { registry, client, ref, target } = await setup(t);
    registry.override((req, res, path) => {
      if (!path.endsWith(big.descriptor.digest)) return false;
      res.writeHead(200, { 'content-length': big.bytes.length });
      res.write(big.bytes.subarray(0, 100_000)); // then stall, holding the connection open
      return true;
    });
    const controller = new AbortController();
    const pulling = client.pull(ref, {
      signal: controller.signal,
      onProgress: (e) => {
        if (e.status === 'Downloading' && e.digest === big.descriptor.digest && (e.current ?? 0) > 0) controller.abort();
      },
    });
    await assert.rejects(pulling, failsWith('aborted', new RegExp(`blob ${big.descriptor.digest}|cancelled`)));
    await assertClean(target, ref);
  });

  test('a registry that stalls mid-blob times out with a clear error', async (t) => {
    const { registry, target } = await setup(t);
    registry.override((req, res, path) => {
      if (!path.endsWith(big.descriptor.digest)) return false;
      res.writeHead(200, { 'content-length': big.bytes.length });
      res.write(big.bytes.subarray(0, 1000));
      return true;
    });
    const impatient = new RegistryClient({ store: target.store, index: target.index, credentials: staticCredentials(registry.host, USER), idleTimeoutMs: 300, retry: { attempts: 1 } });
    t.after(() => impatient.close());
    const ref = `${registry.host}/lies/app:latest`;
    await assert.rejects(impatient.pull(ref), failsWith('network', new RegExp(`download of blob ${big.descriptor.digest} .* was interrupted: 127\\.0\\.0\\.1:\\d+ sent nothing for 300 ms`)));
    await assertClean(target, ref);
  });

  test('pushes follow relative and absolute upload Locations, in one PUT or in PATCH chunks', async (t) => {
    const { registry, target } = await setup(t);
    const ref = `${registry.host}/lies/app:latest`;
    await storeImage(target, image, ref);
    const received = new Map<string, Buffer>();
    const sessions = new Map<string, Buffer[]>();
    const ranges: string[] = [];
    let manifest: { type: string | undefined; body: Buffer } | undefined;
    registry.override((req, res, path) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const url = new URL(req.url ?? '/', 'http://x');
        if (path === '/v2/') res.writeHead(200).end('{}');
        else if (req.method === 'HEAD' && path.includes('/blobs/')) res.writeHead(404).end();
        else if (req.method === 'POST' && path === '/v2/lies/app/blobs/uploads/') {
          const id = `u${sessions.size + 1}`;
          sessions.set(id, []);
          res.writeHead(202, { location: `/v2/lies/app/blobs/uploads/${id}` }).end(); // relative
        } else if (path.startsWith('/v2/lies/app/blobs/uploads/')) {
          const id = path.split('/').pop()!;
          sessions.get(id)!.push(body);
          if (req.method === 'PATCH') {
            ranges.push(String(req.headers['content-range']));
            res.writeHead(202, { location: `http://${registry.host}/v2/lies/app/blobs/uploads/${id}?part=${ranges.length}` }).end(); // absolute
          } else {
            received.set(url.searchParams.get('digest')!, Buffer.concat(sessions.get(id)!));
            res.writeHead(201).end();
          }
        } else if (req.method === 'PUT' && path === '/v2/lies/app/manifests/latest') {
          manifest = { type: req.headers['content-type'], body };
          res.writeHead(201, { 'docker-content-digest': sha256Of(body) }).end();
        } else res.writeHead(500).end();
      });
      return true;
    });
    const pusher = new RegistryClient({ store: target.store, index: target.index, credentials: staticCredentials(registry.host, USER) });
    t.after(() => pusher.close());
    const pushed = await pusher.push(ref, { chunkSize: 64 * 1024 });
    assert.equal(pushed.digest, image.manifest.digest);
    assert.deepEqual(received.get(big.descriptor.digest), big.bytes);
    assert.deepEqual(received.get(image.layers[0].descriptor.digest), image.layers[0].bytes);
    assert.deepEqual(received.get(image.config.digest), image.configBytes);
    assert.equal(ranges[0], `0-${64 * 1024 - 1}`);
    assert.equal(ranges.length, Math.ceil(big.bytes.length / (64 * 1024)));
    assert.deepEqual(manifest, { type: image.manifest.mediaType, body: image.manifestBytes });
  });

  test('a registry that stores the manifest under another digest is reported', async (t) => {
    const { registry, target } = await setup(t);
    const ref = `${registry.host}/lies/app:latest`;
    await storeImage(target, image, ref);
    registry.override((req, res, path) => {
      if (req.method === 'HEAD' && path.includes('/blobs/')) {
        res.writeHead(200, { 'content-length': 1 }).end();
        return true;
      }
      if (req.method === 'PUT' && path.endsWith('/manifests/latest')) {
        req.resume();
        res.writeHead(201, { 'docker-content-digest': sha256Of('rewritten') }).end();
        return true;
      }
      return false;
    });
    const pusher = new RegistryClient({ store: target.store, index: target.index, credentials: staticCredentials(registry.host, USER) });
    t.after(() => pusher.close());
    await assert.rejects(pusher.push(ref), failsWith('untrusted-content', /stored manifest latest of lies\/app as sha256:[0-9a-f]{64}, but its bytes hash to/));
  });

  test('an upload Location on another host is refused (push)', async (t) => {
    const { registry, target } = await setup(t);
    const ref = `${registry.host}/lies/app:latest`;
    await storeImage(target, image, ref);
    registry.override((req, res, path) => {
      if (req.method === 'HEAD' && path.includes('/blobs/')) {
        res.writeHead(404).end();
        return true;
      }
      if (req.method === 'POST' && path.endsWith('/blobs/uploads/')) {
        res.writeHead(202, { location: 'http://127.0.0.2:1/upload/elsewhere' }).end();
        return true;
      }
      return false;
    });
    const pusher = new RegistryClient({ store: target.store, index: target.index, credentials: staticCredentials(registry.host, USER) });
    t.after(() => pusher.close());
    await assert.rejects(pusher.push(ref), failsWith('protocol', /sent the upload for 127\.0\.0\.1:\d+\/lies\/app to another host \(http:\/\/127\.0\.0\.2:1\)/));
  });
});
