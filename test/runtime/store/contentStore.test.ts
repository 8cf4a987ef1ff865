import assert from 'node:assert/strict';
import { chmod, readFile, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { BlobError } from '../../../runtime/store/blobError';
import { ContentStore } from '../../../runtime/store/contentStore';
import { sha256Of, type Digest } from '../../../runtime/store/digest';
import { collect, entries, pseudoRandomBytes, tempDir } from './helpers';

const MiB = 1024 * 1024;

async function storeIn(t: Parameters<typeof tempDir>[0]): Promise<ContentStore> {
  return ContentStore.open(await tempDir(t));
}

async function* chunksOf(data: Buffer, chunkSize: number): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < data.length; offset += chunkSize) yield data.subarray(offset, offset + chunkSize);
}

function isBlobError(code: BlobError['code'], message?: RegExp) {
  return (error: unknown) => error instanceof BlobError && error.code === code && (message === undefined || message.test(error.message));
}

async function assertNoLeftovers(store: ContentStore): Promise<void> {
  assert.deepEqual(await entries(store.ingestDir), [], 'ingest/ is empty');
}

test('open lays out an OCI image layout and checks an existing one', async (t) => {
  const root = await tempDir(t);
  await ContentStore.open(root);
  assert.deepEqual(JSON.parse(await readFile(join(root, 'oci-layout'), 'utf8')), { imageLayoutVersion: '1.0.0' });
  assert.deepEqual(await entries(root), ['blobs', 'ingest', 'oci-layout']);
  await ContentStore.open(root);
  await writeFile(join(root, 'oci-layout'), '{"imageLayoutVersion":"2.0.0"}');
  await assert.rejects(ContentStore.open(root), /imageLayoutVersion "2.0.0"; berth only reads OCI image layout 1.0.0/);
  await writeFile(join(root, 'oci-layout'), '{');
  await assert.rejects(ContentStore.open(root), /oci-layout is not valid JSON/);
});

test('ingest of a multi-chunk stream: digest, size, progress, file', async (t) => {
  const store = await storeIn(t);
  const data = pseudoRandomBytes(3 * MiB + 123, 1);
  const progress: number[] = [];
  const info = await store.ingest(chunksOf(data, 64 * 1024 + 7), { size: data.length, digest: sha256Of(data) }, (n) => progress.push(n));
  assert.deepEqual(info, { digest: sha256Of(data), size: data.length });
  assert.ok(progress.length > 40);
  assert.ok(progress.every((n, i) => i === 0 || n > progress[i - 1]));
  assert.equal(progress.at(-1), data.length);
  assert.ok((await readFile(store.path(info.digest))).equals(data));
  assert.deepEqual(await store.info(info.digest), info);
  await assertNoLeftovers(store);
});

test('ingest of a Node readable stream, with nothing expected in advance', async (t) => {
  const store = await storeIn(t);
  const data = pseudoRandomBytes(200_000, 2);
  const info = await store.ingest(Readable.from(chunksOf(data, 1000)));
  assert.deepEqual(info, { digest: sha256Of(data), size: data.length });
  assert.ok((await store.readBytes(info.digest)).equals(data));
});

test('digest mismatch: a clear error, and nothing left in blobs/ or ingest/', async (t) => {
  const store = await storeIn(t);
  const data = Buffer.from('not what you asked for');
  const claimed = sha256Of('something else');
  await assert.rejects(
    store.ingest(chunksOf(data, 5), { digest: claimed }),
    isBlobError('digest-mismatch', new RegExp(`expected ${claimed}, got ${sha256Of(data)} \\(22 bytes\\)`)),
  );
  assert.deepEqual(await entries(store.blobsDir), []);
  await assertNoLeftovers(store);
});

test('a source shorter than the expected size is rejected', async (t) => {
  const store = await storeIn(t);
  await assert.rejects(store.put(Buffer.from('abc'), { size: 4 }), isBlobError('size-mismatch', /is 3 bytes but 4 were expected/));
  assert.deepEqual(await entries(store.blobsDir), []);
  await assertNoLeftovers(store);
});

test('an oversize source is aborted early: a 1 GiB generator is not read past the cap', async (t) => {
  const store = await storeIn(t);
  const chunk = Buffer.alloc(MiB, 7);
  let produced = 0;
  let closed = false;
  async function* huge(): AsyncGenerator<Uint8Array> {
    try {
      for (let i = 0; i < 1024; i++) {
        produced++;
        yield chunk;
      }
    } finally {
      closed = true;
    }
  }
  await assert.rejects(store.ingest(huge(), { size: 3 * MiB }), isBlobError('size-mismatch', /larger than its expected 3145728 bytes: stopped reading after 4194304 bytes/));
  assert.equal(produced, 4, 'the generator was asked for one chunk past the cap, no more');
  assert.equal(closed, true, 'the generator was closed');
  assert.deepEqual(await entries(store.blobsDir), []);
  await assertNoLeftovers(store);
});

test('an oversize Node stream is destroyed', async (t) => {
  const store = await storeIn(t);
  let produced = 0;
  const stream = new Readable({
    read() {
      produced++;
      this.push(Buffer.alloc(64 * 1024));
    },
  });
  await assert.rejects(store.ingest(stream, { size: 100_000 }), isBlobError('size-mismatch'));
  assert.equal(stream.destroyed, true);
  assert.ok(produced < 10, `read ${produced} chunks`);
  await assertNoLeftovers(store);
});

test('a stream in text mode is refused rather than silently re-encoded', async (t) => {
  const store = await storeIn(t);
  const stream = Readable.from([Buffer.from('abc')]).setEncoding('utf8');
  await assert.rejects(store.ingest(stream), isBlobError('bad-input', /produced string chunks; pass a byte stream/));
  await assertNoLeftovers(store);
  await assert.rejects(store.put(Buffer.from('x'), { size: -1 }), isBlobError('bad-input'));
  await assert.rejects(store.put(Buffer.from('x'), { digest: 'sha256:abc' as Digest }), /invalid digest/);
});

test('a failing source leaves nothing behind', async (t) => {
  const store = await storeIn(t);
  async function* broken(): AsyncGenerator<Uint8Array> {
    yield Buffer.from('partial');
    throw new Error('connection reset');
  }
  await assert.rejects(store.ingest(broken()), /connection reset/);
  assert.deepEqual(await entries(store.blobsDir), []);
  await assertNoLeftovers(store);
});

test('concurrent ingests of the same blob all succeed and store it once', async (t) => {
  const store = await storeIn(t);
  const data = pseudoRandomBytes(500_000, 3);
  const digest = sha256Of(data);
  const results = await Promise.all(
    Array.from({ length: 12 }, (_, i) => store.ingest(chunksOf(data, 10_000 + i * 1000), i % 2 === 0 ? { digest, size: data.length } : undefined)),
  );
  for (const info of results) assert.deepEqual(info, { digest, size: data.length });
  assert.deepEqual(await collect(store.list()), [digest]);
  assert.ok((await store.readBytes(digest)).equals(data));
  await assertNoLeftovers(store);
});

test('a corrupted blob is detected on read, by readBytes and by streams', async (t) => {
  const store = await storeIn(t);
  const data = pseudoRandomBytes(100_000, 4);
  const { digest } = await store.put(data);
  const damaged = Buffer.from(data);
  damaged[5000] ^= 1;
  await chmod(store.path(digest), 0o644);
  await writeFile(store.path(digest), damaged);
  await assert.rejects(
    store.readBytes(digest),
    isBlobError('corrupt', new RegExp(`blob ${digest} is corrupt: the file .*${digest.slice(7)} hashes to ${sha256Of(damaged)}.*berth gc`)),
  );
  await assert.rejects(collect((await store.createReadStream(digest)) as AsyncIterable<Buffer>), isBlobError('corrupt'));
  assert.equal(await store.has(digest), true, 'corruption is reported, not hidden');
});

test('re-ingesting repairs a blob whose size is wrong, and keeps a good one', async (t) => {
  const store = await storeIn(t);
  const data = pseudoRandomBytes(10_000, 5);
  const { digest } = await store.put(data);
  await chmod(store.path(digest), 0o644);
  await writeFile(store.path(digest), data.subarray(0, 5000));
  await store.put(data);
  assert.ok((await store.readBytes(digest)).equals(data));
  await store.put(data);
  assert.ok((await store.readBytes(digest)).equals(data));
});

test('reads: verified stream, size cap, missing blobs', async (t) => {
  const store = await storeIn(t);
  const data = pseudoRandomBytes(300_000, 6);
  const { digest } = await store.put(data);
  assert.ok(Buffer.concat(await collect((await store.createReadStream(digest)) as AsyncIterable<Buffer>)).equals(data));
  await assert.rejects(store.readBytes(digest, 1000), isBlobError('too-large', /is 300000 bytes, over the 1000-byte limit/));
  const absent = sha256Of('absent');
  await assert.rejects(store.readBytes(absent), isBlobError('not-found', /is not in the content store/));
  await assert.rejects(store.createReadStream(absent), isBlobError('not-found'));
  assert.equal(await store.has(absent), false);
  assert.equal(await store.info(absent), undefined);
  assert.throws(() => store.path('sha256:../../etc/passwd' as Digest), /invalid digest/);
});

test('list skips files that are not blobs; delete reports whether it removed something', async (t) => {
  const store = await storeIn(t);
  const a = await store.put(Buffer.from('a'));
  const b = await store.put(Buffer.from('b'));
  await writeFile(join(store.blobsDir, 'README'), 'not a blob');
  assert.deepEqual((await collect(store.list())).sort(), [a.digest, b.digest].sort());
  assert.equal(await store.delete(a.digest), true);
  assert.equal(await store.delete(a.digest), false);
  assert.deepEqual(await collect(store.list()), [b.digest]);
});

test('cleanIngests removes stale left-overs, keeps fresh ones and never an ingest in progress', async (t) => {
  const store = await storeIn(t);
  const stale = join(store.ingestDir, 'dead.1-aa.partial');
  const fresh = join(store.ingestDir, 'other.2-bb.partial');
  await writeFile(stale, 'half');
  await writeFile(fresh, 'half');
  const hourAgo = new Date(Date.now() - 3600_000);
  await utimes(stale, hourAgo, hourAgo);

  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let started!: () => void;
  const firstChunkWritten = new Promise<void>((resolve) => (started = resolve));
  async function* slow(): AsyncGenerator<Uint8Array> {
    yield Buffer.from('first ');
    await gate;
    yield Buffer.from('second');
  }
  const running = store.ingest(slow(), undefined, () => started());
  await firstChunkWritten;

  assert.deepEqual(await store.cleanIngests(60_000), ['dead.1-aa.partial']);
  assert.deepEqual(await store.cleanIngests(0), ['other.2-bb.partial']);
  assert.equal((await entries(store.ingestDir)).length, 1, 'the running ingest is still there');
  release();
  const info = await running;
  assert.equal((await store.readBytes(info.digest)).toString(), 'first second');
  await assertNoLeftovers(store);
});
