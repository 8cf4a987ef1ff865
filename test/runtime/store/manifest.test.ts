import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseImageConfig } from '../../../runtime/store/imageConfig';
import { childDescriptors, MAX_MANIFEST_SIZE, parseManifest } from '../../../runtime/store/manifest';
import { MediaTypes } from '../../../runtime/store/mediaTypes';
import { InvalidDocumentError } from '../../../runtime/store/untrustedJson';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
const D3 = `sha256:${'3'.repeat(64)}`;

const config = { mediaType: MediaTypes.ociConfig, digest: D1, size: 100 };
const layer = { mediaType: MediaTypes.ociLayerGzip, digest: D2, size: 2000 };
const ociManifest = { schemaVersion: 2, mediaType: MediaTypes.ociManifest, config, layers: [layer] };
const ociIndex = {
  schemaVersion: 2,
  mediaType: MediaTypes.ociIndex,
  manifests: [{ mediaType: MediaTypes.ociManifest, digest: D3, size: 500, platform: { architecture: 'amd64', os: 'linux' } }],
};
const json = (value: unknown) => Buffer.from(JSON.stringify(value));

test('parses an OCI manifest and lists its children', () => {
  const parsed = parseManifest(json(ociManifest), MediaTypes.ociManifest);
  assert.equal(parsed.kind, 'manifest');
  assert.deepEqual(parsed.kind === 'manifest' && parsed.manifest, ociManifest);
  assert.deepEqual(childDescriptors(parsed), [config, layer]);
});

test('parses a Docker v2 manifest and a Docker manifest list', () => {
  const docker = { ...ociManifest, mediaType: MediaTypes.dockerManifest, config: { ...config, mediaType: MediaTypes.dockerConfig } };
  assert.equal(parseManifest(json(docker)).mediaType, MediaTypes.dockerManifest);
  const list = { ...ociIndex, mediaType: MediaTypes.dockerManifestList };
  const parsed = parseManifest(json(list), `${MediaTypes.dockerManifestList}; charset=utf-8`);
  assert.equal(parsed.kind, 'index');
  assert.deepEqual(childDescriptors(parsed), list.manifests);
});

test('infers the media type from the caller, then from the shape', () => {
  const { mediaType: _m, ...bare } = ociManifest;
  assert.equal(parseManifest(json(bare), MediaTypes.dockerManifest).mediaType, MediaTypes.dockerManifest);
  assert.equal(parseManifest(json(bare)).mediaType, MediaTypes.ociManifest);
  const { mediaType: _i, ...bareIndex } = ociIndex;
  assert.equal(parseManifest(json(bareIndex)).kind, 'index');
});

test('keeps subject, annotations and artifactType; follows the subject', () => {
  const subject = { mediaType: MediaTypes.ociManifest, digest: D3, size: 9 };
  const doc = { ...ociManifest, artifactType: 'application/x.sig', subject, annotations: { a: 'b' } };
  const parsed = parseManifest(json(doc));
  assert.deepEqual(parsed.kind === 'manifest' && parsed.manifest, doc);
  assert.deepEqual(childDescriptors(parsed), [config, layer, subject]);
});

const malformed: Array<[string, unknown, RegExp, string?]> = [
  ['both manifests and layers', { ...ociIndex, layers: [layer] }, /has both "manifests" and "layers".*refusing it/],
  ['both manifests and config', { ...ociIndex, config }, /has both "manifests" and "config"/],
  ['a manifest without config', { schemaVersion: 2, mediaType: MediaTypes.ociManifest, layers: [] }, /config: a manifest must have a config descriptor/],
  ['a manifest without layers', { schemaVersion: 2, mediaType: MediaTypes.ociManifest, config }, /layers: a manifest must have a layers array/],
  ['an index without manifests', { schemaVersion: 2, mediaType: MediaTypes.ociIndex }, /manifests: an index must have a manifests array/],
  ['an index media type on a manifest shape', { ...ociManifest, mediaType: MediaTypes.ociIndex }, /layers: an index \(.*\) has no layers/],
  ['a manifest type declared for an index', { ...ociIndex, mediaType: undefined }, /manifests: a manifest \(.*\) has no "manifests"/, MediaTypes.ociManifest],
  ['inner and declared media types disagree', ociManifest, /the document says .*manifest.v1\+json but it was fetched as .*index.v1\+json/, MediaTypes.ociIndex],
  ['an invalid layer digest', { ...ociManifest, layers: [layer, { ...layer, digest: 'sha256:abc' }] }, /layers\[1\]\.digest: invalid digest "sha256:abc"/],
  ['an uppercase digest', { ...ociManifest, config: { ...config, digest: D1.replace('sha256', 'SHA256') } }, /config\.digest: .*unsupported algorithm/],
  ['a negative size', { ...ociManifest, layers: [{ ...layer, size: -1 }] }, /layers\[0\]\.size: must be a non-negative integer, got number -1/],
  ['a non-integer size', { ...ociManifest, layers: [{ ...layer, size: 1.5 }] }, /layers\[0\]\.size: must be a non-negative integer, got number 1.5/],
  ['a size as a string', { ...ociManifest, config: { ...config, size: '100' } }, /config\.size: must be a non-negative integer, got string "100"/],
  ['a size past 2^53', { ...ociManifest, config: { ...config, size: 2 ** 60 } }, /config\.size: must be a non-negative integer/],
  ['a missing media type in a descriptor', { ...ociManifest, layers: [{ digest: D2, size: 1 }] }, /layers\[0\]\.mediaType: must be a string, got undefined/],
  ['a malformed media type', { ...ociManifest, layers: [{ ...layer, mediaType: 'gzip' }] }, /layers\[0\]\.mediaType: "gzip" is not a media type/],
  ['layers that are not an array', { ...ociManifest, layers: {} }, /layers: must be an array, got an object/],
  ['a platform without os', { ...ociIndex, manifests: [{ ...ociIndex.manifests[0], platform: { architecture: 'amd64' } }] }, /manifests\[0\]\.platform\.os: must be a string/],
  ['annotations that are not strings', { ...ociManifest, annotations: { a: 1 } }, /annotations\["a"\]: must be a string, got number 1/],
  ['schema version 1', { schemaVersion: 1, name: 'x', tag: 'y', fsLayers: [] }, /schemaVersion: must be 2, got number 1 \(Docker schema 1 manifests are not supported/],
  ['an unsupported media type', { ...ociManifest, mediaType: 'application/vnd.example+json' }, /unsupported media type application\/vnd.example\+json/],
  ['a document with neither shape', { schemaVersion: 2 }, /neither "manifests" nor "config"\/"layers"/],
  ['an array', [ociManifest], /must be an object, got an array/],
];

for (const [name, doc, message, declared] of malformed) {
  test(`manifest parser rejects ${name}`, () => {
    assert.throws(
      () => parseManifest(json(doc), declared),
      (error: unknown) => error instanceof InvalidDocumentError && error.message.startsWith('invalid image manifest: ') && message.test(error.message),
    );
  });
}

test('manifest parser rejects bytes that are not JSON, not UTF-8, or too big', () => {
  assert.throws(() => parseManifest(Buffer.from('{"schemaVersion":')), /invalid image manifest: not valid JSON/);
  assert.throws(() => parseManifest(Buffer.from([0x7b, 0xff, 0x7d])), /invalid image manifest: not valid UTF-8/);
  const padded = Buffer.alloc(MAX_MANIFEST_SIZE + 1, 0x20);
  assert.throws(() => parseManifest(padded), /4194305 bytes is over the 4194304-byte limit/);
});

const goodConfig = {
  created: '2024-01-01T00:00:00Z',
  architecture: 'amd64',
  os: 'linux',
  config: {
    Env: ['PATH=/bin'],
    Cmd: null,
    Entrypoint: ['/bin/sh'],
    ExposedPorts: { '80/tcp': {} },
    Labels: { a: 'b' },
    Healthcheck: { Test: ['CMD', 'true'], Interval: 30_000_000_000, Retries: 3 },
  },
  rootfs: { type: 'layers', diff_ids: [D1, D2] },
  history: [{ created_by: 'ADD rootfs /' }, { created_by: 'CMD', empty_layer: true }],
};

test('image config: parses, dropping Docker nulls', () => {
  const parsed = parseImageConfig(json(goodConfig));
  assert.deepEqual(parsed.rootfs.diff_ids, [D1, D2]);
  assert.equal(parsed.config?.Cmd, undefined);
  assert.deepEqual(parsed.config?.ExposedPorts, { '80/tcp': {} });
  assert.equal(parsed.config?.Healthcheck?.Interval, 30_000_000_000);
  assert.equal(parsed.history?.[1].empty_layer, true);
});

const badConfigs: Array<[string, unknown, RegExp]> = [
  ['no os', { ...goodConfig, os: undefined }, /os: must be a string/],
  ['a rootfs of the wrong type', { ...goodConfig, rootfs: { type: 'tar', diff_ids: [] } }, /rootfs\.type: must be "layers"/],
  ['an invalid diff_id', { ...goodConfig, rootfs: { type: 'layers', diff_ids: ['sha256:x'] } }, /rootfs\.diff_ids\[0\]: invalid digest/],
  ['Env that is not a string list', { ...goodConfig, config: { Env: [1] } }, /config\.Env\[0\]: must be a string/],
  ['a negative health interval', { ...goodConfig, config: { Healthcheck: { Interval: -1 } } }, /config\.Healthcheck\.Interval: must be a non-negative integer/],
];

for (const [name, doc, message] of badConfigs) {
  test(`image config parser rejects ${name}`, () => {
    assert.throws(() => parseImageConfig(json(doc)), (error: unknown) => error instanceof InvalidDocumentError && error.message.startsWith('invalid image config: ') && message.test(error.message));
  });
}
