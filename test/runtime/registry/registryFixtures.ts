// Shared by the registry tests: fresh stores, berth's busybox image, small synthetic images
// (any media types and platforms, layers of pseudo-random bytes: a pull never unpacks), and the
// checks every failure case makes: no name, no partial ingest files.
import { createReadStream } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { importRootfs } from '../../../runtime/image/importRootfs';
import { ContentStore } from '../../../runtime/store/contentStore';
import type { Descriptor, Platform } from '../../../runtime/store/descriptor';
import { sha256Of, type Digest } from '../../../runtime/store/digest';
import { ImageIndex } from '../../../runtime/store/imageIndex';
import { MediaTypes } from '../../../runtime/store/mediaTypes';
import type { ProgressEvent } from '../../../runtime/registry/progress';
import { makeBusyboxRootfs } from '../image/busyboxRootfs';
import { pseudoRandomBytes } from '../store/helpers';

export interface TestStore {
  root: string;
  store: ContentStore;
  index: ImageIndex;
}

export async function tempDir(t: TestContext | { after(fn: () => Promise<void>): void }, prefix = 'berth-reg-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export async function openStore(root: string): Promise<TestStore> {
  return { root, store: await ContentStore.open(root), index: new ImageIndex(root) };
}

/** Imports Debian's static busybox as a one-layer image named `name` into `target`. */
export async function importBusybox(dir: string, target: TestStore, name: string): Promise<{ id: Digest; manifest: Descriptor }> {
  const rootfs = await makeBusyboxRootfs(join(dir, 'busybox-rootfs'));
  const tarPath = join(dir, 'busybox-rootfs.tar');
  await new Promise<void>((resolve, reject) => {
    const tar = spawn('tar', ['-C', rootfs, '-cf', tarPath, '.'], { stdio: ['ignore', 'ignore', 'inherit'] });
    tar.once('error', reject);
    tar.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`tar exited ${code}`))));
  });
  const imported = await importRootfs(target.store, target.index, createReadStream(tarPath), name);
  return { id: imported.id, manifest: imported.manifest };
}

export interface SyntheticImage {
  manifest: Descriptor;
  manifestBytes: Buffer;
  config: Descriptor;
  configBytes: Buffer;
  layers: { descriptor: Descriptor; bytes: Buffer }[];
}

export interface SyntheticOptions {
  docker?: boolean;
  layerSizes?: number[];
  seed?: number;
  platform?: Platform;
  /** gzip the layer bytes (default) or store them as an uncompressed tar type. */
  compressed?: boolean;
}

/** An image (manifest, config, layers) as bytes; `storeImage` writes it into a store. */
export function syntheticImage(options: SyntheticOptions = {}): SyntheticImage {
  const docker = options.docker === true;
  const platform = options.platform ?? { os: 'linux', architecture: 'amd64' };
  const seed = options.seed ?? 1;
  const layers = (options.layerSizes ?? [3000, 70_000]).map((size, i) => {
    const raw = pseudoRandomBytes(size, seed * 100 + i + 1);
    const bytes = options.compressed === false ? raw : gzipSync(raw);
    const mediaType = options.compressed === false ? MediaTypes.ociLayer : docker ? MediaTypes.dockerLayerGzip : MediaTypes.ociLayerGzip;
    return { descriptor: { mediaType, digest: sha256Of(bytes), size: bytes.length }, bytes, diffId: sha256Of(raw) };
  });
  const configBytes = Buffer.from(
    JSON.stringify({ architecture: platform.architecture, os: platform.os, created: '2026-01-01T00:00:00Z', config: { Cmd: ['/bin/sh'] }, rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) }, history: layers.map(() => ({ created_by: `seed ${seed}` })) }),
  );
  const config: Descriptor = { mediaType: docker ? MediaTypes.dockerConfig : MediaTypes.ociConfig, digest: sha256Of(configBytes), size: configBytes.length };
  const mediaType = docker ? MediaTypes.dockerManifest : MediaTypes.ociManifest;
  const manifestBytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType, config, layers: layers.map((l) => l.descriptor) }));
  return {
    manifest: { mediaType, digest: sha256Of(manifestBytes), size: manifestBytes.length },
    manifestBytes,
    config,
    configBytes,
    layers: layers.map(({ descriptor, bytes }) => ({ descriptor, bytes })),
  };
}

export async function storeImage(target: TestStore, image: SyntheticImage, name?: string): Promise<void> {
  for (const layer of image.layers) await target.store.put(layer.bytes, { digest: layer.descriptor.digest, size: layer.descriptor.size });
  await target.store.put(image.configBytes);
  await target.store.put(image.manifestBytes);
  if (name !== undefined) await target.index.set(name, image.manifest);
}

/** An index (OCI or Docker manifest list) over images, each entry with its image's platform. */
export function indexOf(images: { image: SyntheticImage; platform: Platform }[], docker = false): { descriptor: Descriptor; bytes: Buffer } {
  const mediaType = docker ? MediaTypes.dockerManifestList : MediaTypes.ociIndex;
  const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType, manifests: images.map(({ image, platform }) => ({ ...image.manifest, platform })) }));
  return { descriptor: { mediaType, digest: sha256Of(bytes), size: bytes.length }, bytes };
}

/** Nothing half-written anywhere: the ingest directory is empty. */
export async function assertNoPartialBlobs(target: TestStore): Promise<void> {
  assert.deepEqual(await readdir(target.store.ingestDir), [], 'a failed pull must leave no partial files in ingest/');
}

export async function assertNotNamed(target: TestStore, name: string): Promise<void> {
  assert.equal(await target.index.get(name), undefined, `${name} must not be named after a failed pull`);
}

/** Collects progress events; `lines()` renders them as `id: status`. */
export function progressRecorder(): { events: ProgressEvent[]; onProgress: (e: ProgressEvent) => void; statuses(id?: string): string[] } {
  const events: ProgressEvent[] = [];
  return {
    events,
    onProgress: (event) => events.push(event),
    statuses: (id) => events.filter((e) => id === undefined || e.id === id).map((e) => e.status),
  };
}
