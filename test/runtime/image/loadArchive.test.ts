import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import * as zlib from 'node:zlib';
import { ImageError } from '../../../runtime/image/imageError';
import { UNCOMPRESSED_SIZE_ANNOTATION } from '../../../runtime/image/imageWriter';
import { loadArchive } from '../../../runtime/image/loadArchive';
import { parseImageConfig } from '../../../runtime/store/imageConfig';
import { parseManifest, type ImageManifest } from '../../../runtime/store/manifest';
import { MediaTypes } from '../../../runtime/store/mediaTypes';
import { hex, legacyArchive, ociArchive, replaceEntry, rootfsTar, sha256, tarOf, tempStore, type Entry, type TestStore } from './imageFixtures';

async function manifestOf(store: TestStore['store'], digest: `sha256:${string}`): Promise<ImageManifest> {
  const parsed = parseManifest(await store.readBytes(digest));
  assert.equal(parsed.kind, 'manifest');
  return (parsed as { manifest: ImageManifest }).manifest;
}

function load(s: TestStore, archive: Buffer, options: Parameters<typeof loadArchive>[3] = {}) {
  return loadArchive(s.store, s.index, Readable.from([archive]), options);
}

test('a legacy docker save archive loads: tags set, diff_ids checked, layers kept as stored, a shared layer followed through its symlink', async (t) => {
  const s = await tempStore(t);
  const base = await rootfsTar('base');
  const top = await rootfsTar('top');
  const fixture = legacyArchive([
    { tags: ['busybox:latest', 'example.com/team/app:2'], layers: [base, top] },
    { tags: ['other:1'], layers: [base] },
  ]);
  assert.ok(fixture.entries.some((e) => e.header.type === 'symlink'), 'the fixture shares the base layer by symlink');
  const lines: string[] = [];
  const result = await load(s, await tarOf(fixture.entries), { onProgress: (line) => lines.push(line) });

  assert.deepEqual(lines, ['Loaded image: busybox:latest', 'Loaded image: example.com/team/app:2', 'Loaded image: other:1']);
  assert.deepEqual(
    result.loaded.map((l) => [l.ref, l.id]),
    [
      ['docker.io/library/busybox:latest', fixture.ids[0]],
      ['example.com/team/app:2', fixture.ids[0]],
      ['docker.io/library/other:1', fixture.ids[1]],
    ],
  );
  const record = await s.index.get('busybox');
  assert.ok(record);
  assert.equal(record.descriptor.digest, result.loaded[0].manifest.digest);
  const manifest = await manifestOf(s.store, record.descriptor.digest);
  assert.equal(manifest.config.digest, fixture.ids[0]);
  assert.deepEqual(
    manifest.layers.map((l) => [l.mediaType, l.digest, l.size]),
    [
      [MediaTypes.ociLayer, sha256(base), base.length],
      [MediaTypes.ociLayer, sha256(top), top.length],
    ],
  );
  assert.deepEqual(await s.store.readBytes(sha256(top)), top);
  const config = parseImageConfig(await s.store.readBytes(fixture.ids[0]));
  assert.deepEqual(config.rootfs.diff_ids, [sha256(base), sha256(top)]);
});

test('an untagged image is kept under io.berth/untagged@<manifest digest> and reported by ID', async (t) => {
  const s = await tempStore(t);
  const fixture = legacyArchive([{ tags: null, layers: [await rootfsTar()] }]);
  const lines: string[] = [];
  const result = await load(s, await tarOf(fixture.entries), { onProgress: (line) => lines.push(line) });
  assert.equal(result.loaded.length, 1);
  assert.equal(result.loaded[0].ref, undefined);
  assert.equal(result.loaded[0].id, fixture.ids[0]);
  assert.deepEqual(lines, [`Loaded image ID: ${fixture.ids[0]}`]);
  const names = (await s.index.list()).map((r) => r.name);
  assert.deepEqual(names, [`io.berth/untagged@${result.loaded[0].manifest.digest}`]);
  // Loading it again does not add a second name.
  await load(s, await tarOf(fixture.entries));
  assert.equal((await s.index.list()).length, 1);
});

test('a gzip-compressed archive, and gzip-compressed layers inside one, load; the gzip layer keeps its bytes', async (t) => {
  const s = await tempStore(t);
  const layer = await rootfsTar();
  const gz = zlib.gzipSync(layer);
  const fixture = legacyArchive([{ tags: ['zipped:1'], layers: [gz], diffIds: [sha256(layer)] }]);
  await load(s, zlib.gzipSync(await tarOf(fixture.entries)));
  const manifest = await manifestOf(s.store, (await s.index.get('zipped:1'))!.descriptor.digest);
  assert.deepEqual(manifest.layers, [
    { mediaType: MediaTypes.ociLayerGzip, digest: sha256(gz), size: gz.length, annotations: { [UNCOMPRESSED_SIZE_ANNOTATION]: String(layer.length) } },
  ]);
});

test('an OCI layout archive without manifest.json loads from index.json and keeps the archive manifest', async (t) => {
  const s = await tempStore(t);
  const fixture = ociArchive({ layers: [await rootfsTar()], names: ['docker.io/library/oci:1', 'docker.io/library/oci:2'] });
  const result = await load(s, await tarOf(fixture.entries));
  assert.deepEqual(
    result.loaded.map((l) => [l.ref, l.id, l.manifest.digest]),
    [
      ['docker.io/library/oci:1', fixture.id, fixture.manifestDigest],
      ['docker.io/library/oci:2', fixture.id, fixture.manifestDigest],
    ],
  );
});

test('a Docker 25+ archive (manifest.json into blobs/ plus index.json) reuses a valid OCI manifest', async (t) => {
  const s = await tempStore(t);
  const fixture = ociArchive({ layers: [await rootfsTar('a'), await rootfsTar('b')], names: ['docker.io/library/both:1'], dockerManifest: true });
  const result = await load(s, await tarOf(fixture.entries));
  assert.equal(result.loaded[0].manifest.digest, fixture.manifestDigest);
  assert.equal((await s.index.get('both:1'))?.descriptor.digest, fixture.manifestDigest);
});

test('a Docker 25.0.0 archive whose OCI manifest lists no layers loads by manifest.json with a manifest berth writes', async (t) => {
  const s = await tempStore(t);
  const layer = await rootfsTar();
  const fixture = ociArchive({ layers: [layer], names: ['docker.io/library/buggy:1'], dockerManifest: true, manifestLayers: [] });
  const result = await load(s, await tarOf(fixture.entries));
  assert.notEqual(result.loaded[0].manifest.digest, fixture.manifestDigest);
  const manifest = await manifestOf(s.store, result.loaded[0].manifest.digest);
  assert.equal(manifest.config.digest, fixture.id);
  assert.deepEqual(manifest.layers.map((l) => l.digest), [sha256(layer)]);
});

// ---- hostile and broken archives: a clear error, and no name in the index ----

async function rejects(t: Parameters<typeof tempStore>[0], entries: Entry[] | Buffer, pattern: RegExp, options: Parameters<typeof loadArchive>[3] = {}): Promise<void> {
  const s = await tempStore(t);
  const archive = Buffer.isBuffer(entries) ? entries : await tarOf(entries);
  await assert.rejects(load(s, archive, options), (error: unknown) => {
    assert.ok(error instanceof ImageError, `expected an ImageError, got ${String(error)}`);
    assert.match(error.message, pattern);
    return true;
  });
  assert.deepEqual(await s.index.list(), [], 'nothing was named');
}

test('rejects an archive without manifest.json (or index.json)', async (t) => {
  const fixture = legacyArchive([{ tags: ['a:1'], layers: [await rootfsTar()] }]);
  await rejects(t, fixture.entries.filter((e) => e.header.name !== 'manifest.json'), /the archive has no manifest\.json \(nor an OCI index\.json\), so it is not an image archive/);
});

test('rejects manifest.json naming a layer the archive lacks', async (t) => {
  const fixture = legacyArchive([{ tags: ['a:1'], layers: [await rootfsTar()] }]);
  const missing = fixture.manifest[0].Layers[0];
  await rejects(t, fixture.entries.filter((e) => e.header.name !== missing), new RegExp(`manifest\\.json in the archive lists layer "${missing}", which the archive does not contain`));
});

test('rejects a layer whose bytes do not match the config diff_ids, naming the layer; the good image beside it is not named either', async (t) => {
  const good = await rootfsTar('good');
  const fixture = legacyArchive([
    { tags: ['good:1'], layers: [good] },
    { tags: ['bad:1'], layers: [await rootfsTar('bad')], diffIds: [sha256('something else')] },
  ]);
  const badLayer = fixture.manifest[1].Layers[0];
  await rejects(t, fixture.entries, new RegExp(`layer "${badLayer}" \\(layer 1 of manifest\\.json entry 2 .*\\) does not match the image config: its uncompressed content digests to sha256:[0-9a-f]{64}, but rootfs\\.diff_ids\\[0\\] is ${sha256('something else')}`));
});

test('rejects ../ and absolute paths in manifest.json', async (t) => {
  const fixture = legacyArchive([{ tags: ['a:1'], layers: [await rootfsTar()] }]);
  for (const path of ['../etc/passwd', 'x/../../layer.tar', '/etc/passwd']) {
    const manifest = [{ ...fixture.manifest[0], Layers: [path] }];
    await rejects(t, replaceEntry(fixture.entries, 'manifest.json', JSON.stringify(manifest)), new RegExp(`lists layer ${JSON.stringify(path).replace(/[.]/g, '\\.')}, which points outside the archive`));
  }
  const manifest = [{ ...fixture.manifest[0], Config: '../config.json' }];
  await rejects(t, replaceEntry(fixture.entries, 'manifest.json', JSON.stringify(manifest)), /lists config "\.\.\/config\.json", which points outside the archive/);
});

test('rejects an oversized manifest.json without parsing it', async (t) => {
  const fixture = legacyArchive([{ tags: ['a:1'], layers: [await rootfsTar()] }]);
  const huge = JSON.stringify([{ ...fixture.manifest[0], pad: 'x'.repeat(4 * 1024 * 1024) }]);
  await rejects(t, replaceEntry(fixture.entries, 'manifest.json', huge), /the archive's manifest\.json is \d+ bytes, over the 4194304-byte limit/);
});

test('rejects malformed manifest.json and configs with the field at fault', async (t) => {
  const fixture = legacyArchive([{ tags: ['a:1'], layers: [await rootfsTar()] }]);
  await rejects(t, replaceEntry(fixture.entries, 'manifest.json', '{"not":"a list"}'), /invalid manifest\.json in the archive: must be an array/);
  await rejects(t, replaceEntry(fixture.entries, 'manifest.json', '[{"Config":"x.json","Layers":"nope"}]'), /lists config "x\.json", which the archive does not contain/);
  await rejects(t, replaceEntry(fixture.entries, 'manifest.json', 'not json'), /manifest\.json is not valid JSON/);
  await rejects(t, replaceEntry(fixture.entries, 'manifest.json', JSON.stringify([{ ...fixture.manifest[0], RepoTags: ['Not A Name'] }])), /RepoTags\[0\] names the image "Not A Name", which is not a valid image name/);
  // A config that does not hash to its <hex>.json name.
  await rejects(t, replaceEntry(fixture.entries, `${hex(fixture.ids[0])}.json`, '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}'), /config [0-9a-f]{64}\.json does not match its name/);
});

test('rejects a blobs/sha256 file whose content is not its name', async (t) => {
  const fixture = ociArchive({ layers: [await rootfsTar()], names: ['docker.io/library/x:1'], dockerManifest: true });
  const layerName = fixture.entries.find((e) => Buffer.isBuffer(e.body) && e.header.name.startsWith('blobs/sha256/'))!.header.name;
  await rejects(t, replaceEntry(fixture.entries, layerName, await rootfsTar('tampered')), new RegExp(`${layerName} does not match its name`));
});

test('rejects hard links, devices, escaping names and symlinks, loops, duplicates and too many entries', async (t) => {
  const fixture = legacyArchive([{ tags: ['a:1'], layers: [await rootfsTar()] }]);
  const layer = fixture.manifest[0].Layers[0];
  await rejects(t, [...fixture.entries, { header: { name: 'hard', type: 'link', linkname: 'manifest.json' } }], /a link entry "hard"; an image archive holds only files, directories and symlinks/);
  await rejects(t, [...fixture.entries, { header: { name: 'dev', type: 'character-device', devmajor: 1, devminor: 3 } }], /a character-device entry "dev"/);
  await rejects(t, [{ header: { name: '../evil' }, body: 'x' }, ...fixture.entries], /an entry "\.\.\/evil" that points outside the archive/);
  const withLink = (linkname: string) => fixture.entries.map((e) => (e.header.name === layer ? { header: { name: layer, type: 'symlink' as const, linkname } } : e));
  await rejects(t, withLink('../../../../etc/shadow'), /symlink .*layer\.tar -> "\.\.\/\.\.\/\.\.\/\.\.\/etc\/shadow" points outside the archive/);
  await rejects(t, withLink('layer.tar'), /symlinks starting at .* loop/);
  await rejects(t, [...fixture.entries, { header: { name: 'repositories' }, body: '{}' }], /the image archive has "repositories" twice/);
  await rejects(t, fixture.entries, /more than 3 entries/, { maxEntries: 3 });
});

test('rejects a truncated archive as not a valid tar stream', async (t) => {
  const fixture = legacyArchive([{ tags: ['a:1'], layers: [await rootfsTar()] }]);
  const archive = await tarOf(fixture.entries);
  await rejects(t, archive.subarray(0, 1500), /the image archive is not a valid tar stream/);
});

test('a zstd layer is refused with a clear error where this Node cannot decompress zstd', { skip: 'createZstdDecompress' in zlib ? 'this Node.js reads zstd' : false }, async (t) => {
  const zstdish = Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), Buffer.alloc(60)]);
  const fixture = legacyArchive([{ tags: ['z:1'], layers: [zstdish], diffIds: [sha256('whatever')] }]);
  await rejects(t, fixture.entries, /layer ".*layer\.tar" is zstd-compressed and this Node\.js \(v[0-9.]+\) cannot decompress zstd; run berth on Node\.js 22\.15 or later/);
});

test('a source that fails part-way rejects the load with the cause, and names nothing', async (t) => {
  const s = await tempStore(t);
  const fixture = legacyArchive([{ tags: ['a:1'], layers: [await rootfsTar()] }]);
  const archive = await tarOf(fixture.entries);
  async function* failing(): AsyncGenerator<Buffer> {
    yield archive.subarray(0, 2048);
    throw new Error('connection reset by peer');
  }
  await assert.rejects(loadArchive(s.store, s.index, failing()), /reading the image archive failed: connection reset by peer/);
  assert.deepEqual(await s.index.list(), []);
});
