// Shared by the image tests: a fresh store per test, tars built in memory, and `docker save`
// archives in Docker's legacy layout built from layer tars, so each test can break one thing.
import { createHash } from 'node:crypto';
import type { TestContext } from 'node:test';
import * as tar from 'tar-stream';
import { ContentStore } from '../../../runtime/store/contentStore';
import type { Digest } from '../../../runtime/store/digest';
import { ImageIndex } from '../../../runtime/store/imageIndex';
import { tempDir } from '../store/helpers';

export interface TestStore {
  root: string;
  store: ContentStore;
  index: ImageIndex;
}

export async function tempStore(t: TestContext): Promise<TestStore> {
  const root = await tempDir(t, 'berth-image-');
  return { root, store: await ContentStore.open(root), index: new ImageIndex(root) };
}

export interface Entry {
  header: Partial<tar.Header> & { name: string };
  body?: string | Buffer;
}

export async function tarOf(entries: readonly Entry[]): Promise<Buffer> {
  const pack = tar.pack();
  const collected = collect(pack as AsyncIterable<Buffer>);
  for (const { header, body } of entries) {
    await new Promise<void>((resolve, reject) => {
      const done = (error?: Error | null): void => (error ? reject(error) : resolve());
      if (header.type === undefined || header.type === 'file') pack.entry({ mtime: new Date(0), ...header }, body ?? '', done);
      else pack.entry({ mtime: new Date(0), ...header }, done);
    });
  }
  pack.finalize();
  return collected;
}

export async function collect(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

/** The regular files of a tar, by name; plus its other entries' types. */
export async function filesOf(archive: Buffer): Promise<{ files: Map<string, Buffer>; types: Map<string, string> }> {
  const files = new Map<string, Buffer>();
  const types = new Map<string, string>();
  const extract = tar.extract();
  const done = (async () => {
    for await (const entry of extract) {
      types.set(entry.header.name, entry.header.type);
      const body = await collect(entry as AsyncIterable<Buffer>);
      if (entry.header.type === 'file') files.set(entry.header.name, body);
    }
  })();
  extract.end(archive);
  await done;
  return { files, types };
}

/** A small root file system tar: /bin/sh-like file, a directory and a symlink. */
export function rootfsTar(seed = 'one'): Promise<Buffer> {
  return tarOf([
    { header: { name: 'bin/', type: 'directory', mode: 0o755 } },
    { header: { name: 'bin/tool', mode: 0o755 }, body: `#!/bin/true ${seed}\n` },
    { header: { name: 'bin/alias', type: 'symlink', linkname: 'tool' } },
    { header: { name: 'etc/hostname', mode: 0o644 }, body: `${seed}\n` },
  ]);
}

export function sha256(bytes: Buffer | string): Digest {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export function hex(digest: Digest): string {
  return digest.slice('sha256:'.length);
}

export interface LegacyImage {
  tags: string[] | null;
  /** Layer blobs as they go in the archive (usually uncompressed tars). */
  layers: Buffer[];
  /** diff_ids to write in the config; default: sha256 of each layer as given (right for uncompressed). */
  diffIds?: Digest[];
}

export interface LegacyArchive {
  entries: Entry[];
  /** Image IDs (config digests), in order. */
  ids: Digest[];
  manifest: { Config: string; RepoTags: string[] | null; Layers: string[] }[];
}

/**
 * A `docker save` archive as Docker 20.10 writes it: `<config hex>.json`, one `<v1 id>/` per
 * layer (VERSION, json, layer.tar), manifest.json and repositories. A layer used twice is
 * written once and symlinked, as Docker does.
 */
export function legacyArchive(images: LegacyImage[]): LegacyArchive {
  const entries: Entry[] = [];
  const ids: Digest[] = [];
  const manifest: LegacyArchive['manifest'] = [];
  const repositories: Record<string, Record<string, string>> = {};
  const layerDirs = new Map<string, string>();
  for (const image of images) {
    const diffIds = image.diffIds ?? image.layers.map((layer) => sha256(layer));
    const config = JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      created: '2024-01-02T03:04:05Z',
      config: { Cmd: ['/bin/tool'] },
      rootfs: { type: 'layers', diff_ids: diffIds },
      history: image.layers.map((_, i) => ({ created: '2024-01-02T03:04:05Z', created_by: `step ${i + 1}` })),
    });
    const id = sha256(config);
    ids.push(id);
    entries.push({ header: { name: `${hex(id)}.json` }, body: config });
    const layerPaths: string[] = [];
    for (const [i, layer] of image.layers.entries()) {
      const v1 = hex(sha256(`${hex(id)} ${i}`));
      const digest = sha256(layer);
      entries.push({ header: { name: `${v1}/`, type: 'directory', mode: 0o755 } });
      entries.push({ header: { name: `${v1}/VERSION` }, body: '1.0' });
      entries.push({ header: { name: `${v1}/json` }, body: JSON.stringify({ id: v1 }) });
      const earlier = layerDirs.get(digest);
      if (earlier === undefined) {
        entries.push({ header: { name: `${v1}/layer.tar` }, body: layer });
        layerDirs.set(digest, v1);
      } else {
        entries.push({ header: { name: `${v1}/layer.tar`, type: 'symlink', linkname: `../${earlier}/layer.tar` } });
      }
      layerPaths.push(`${v1}/layer.tar`);
    }
    manifest.push({ Config: `${hex(id)}.json`, RepoTags: image.tags, Layers: layerPaths });
    for (const tag of image.tags ?? []) {
      const colon = tag.lastIndexOf(':');
      (repositories[tag.slice(0, colon)] ??= {})[tag.slice(colon + 1)] = layerPaths.at(-1)!.split('/')[0];
    }
  }
  entries.push({ header: { name: 'manifest.json' }, body: JSON.stringify(manifest) });
  entries.push({ header: { name: 'repositories' }, body: JSON.stringify(repositories) });
  return { entries, ids, manifest };
}

/** Replaces the body of the entry called `name`. */
export function replaceEntry(entries: Entry[], name: string, body: string | Buffer): Entry[] {
  let found = false;
  const out = entries.map((entry) => {
    if (entry.header.name !== name) return entry;
    found = true;
    return { header: { ...entry.header }, body };
  });
  if (!found) throw new Error(`test fixture has no entry ${name}`);
  return out;
}

export interface OciArchiveOptions {
  /** Layer blobs (uncompressed tars, as Docker 25+ writes them). */
  layers: Buffer[];
  /** Full names for io.containerd.image.name; the tag also goes in org.opencontainers.image.ref.name. */
  names: string[];
  /** Also write Docker's manifest.json (Docker 25+ does). */
  dockerManifest?: boolean;
  /** Replace the manifest's layer list, e.g. [] as Docker 25.0.0 wrote it. */
  manifestLayers?: object[];
}

/** An OCI image layout archive as Docker 25+ writes it with `docker save`. */
export function ociArchive(options: OciArchiveOptions): { entries: Entry[]; id: Digest; manifestDigest: Digest } {
  const config = JSON.stringify({
    architecture: 'amd64',
    os: 'linux',
    config: {},
    rootfs: { type: 'layers', diff_ids: options.layers.map((layer) => sha256(layer)) },
  });
  const id = sha256(config);
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: id, size: Buffer.byteLength(config) },
    layers: options.manifestLayers ?? options.layers.map((layer) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha256(layer), size: layer.length })),
  });
  const manifestDigest = sha256(manifest);
  const descriptor = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: manifestDigest, size: Buffer.byteLength(manifest) };
  const index = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: options.names.map((name) => ({
      ...descriptor,
      annotations: { 'io.containerd.image.name': name, 'org.opencontainers.image.ref.name': name.slice(name.lastIndexOf(':') + 1) },
    })),
  };
  const entries: Entry[] = [
    { header: { name: 'blobs/', type: 'directory' } },
    { header: { name: 'blobs/sha256/', type: 'directory' } },
    ...options.layers.map((layer) => ({ header: { name: `blobs/sha256/${hex(sha256(layer))}` }, body: layer })),
    { header: { name: `blobs/sha256/${hex(id)}` }, body: config },
    { header: { name: `blobs/sha256/${hex(manifestDigest)}` }, body: manifest },
    { header: { name: 'index.json' }, body: JSON.stringify(index) },
    { header: { name: 'oci-layout' }, body: '{"imageLayoutVersion":"1.0.0"}' },
  ];
  if (options.dockerManifest === true) {
    const familiar = options.names.map((name) => name.replace(/^docker\.io\/(library\/)?/, ''));
    const items = [{ Config: `blobs/sha256/${hex(id)}`, RepoTags: familiar, Layers: options.layers.map((layer) => `blobs/sha256/${hex(sha256(layer))}`) }];
    entries.push({ header: { name: 'manifest.json' }, body: JSON.stringify(items) });
  }
  return { entries, id, manifestDigest };
}
