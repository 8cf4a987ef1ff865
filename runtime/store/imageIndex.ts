// The image index: which names point at which manifests. It is the OCI layout's own
// `index.json` (an image index whose entries carry the name in the
// `org.opencontainers.image.ref.name` annotation), so the store stays a valid OCI layout.
// Every change is a read-modify-write under a per-file mutex, written atomically: a reader, or
// a process that crashed mid-write, sees the old index or the new one, never a mix. The mutex
// is per process: the agent must be the only process that writes the index.
import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { writeJsonAtomic } from './atomicFile';
import { parseDescriptor, parseDescriptors, type Descriptor } from './descriptor';
import { parseDigest, type Digest } from './digest';
import { MediaTypes } from './mediaTypes';
import { canonicalReference } from './references';
import { failFor, InvalidDocumentError, optStringMap, parseJsonObject } from './untrustedJson';

export const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';
/** When berth last pointed this name at this descriptor (RFC 3339). */
export const CREATED_ANNOTATION = 'io.berth.image.created';
export const INDEX_FILE = 'index.json';
/** An index.json this large would be tens of thousands of names; refuse rather than stall. */
const MAX_INDEX_SIZE = 64 * 1024 * 1024;

export interface ImageRecord {
  /** Canonical reference: `docker.io/library/busybox:latest`. */
  name: string;
  /** The manifest or index the name points at; annotations include the name. */
  descriptor: Descriptor;
  created?: string;
}

interface IndexDocument {
  manifests: Descriptor[];
  annotations?: Record<string, string>;
}

export class ImageIndexError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImageIndexError';
  }
}

export interface ImageIndexOptions {
  /** Clock for the created annotation; tests pin it. */
  now?: () => Date;
}

export class ImageIndex {
  readonly path: string;
  private readonly tempDir: string;
  private readonly now: () => Date;

  constructor(
    readonly root: string,
    options: ImageIndexOptions = {},
  ) {
    this.path = join(root, INDEX_FILE);
    // Temp files go where the content store keeps its ingests, so cleanIngests clears crash
    // left-overs of both; it is on the same filesystem, as rename needs.
    this.tempDir = join(root, 'ingest');
    this.now = options.now ?? (() => new Date());
  }

  async list(): Promise<ImageRecord[]> {
    return records((await this.read()).manifests);
  }

  /** The record for a reference, in any form Docker accepts (`busybox` finds `docker.io/library/busybox:latest`). */
  async get(reference: string): Promise<ImageRecord | undefined> {
    const name = canonicalReference(reference);
    return (await this.list()).find((record) => record.name === name);
  }

  /** Every name that points at `digest`. */
  async byDigest(digest: Digest): Promise<ImageRecord[]> {
    const wanted = parseDigest(digest);
    return (await this.list()).filter((record) => record.descriptor.digest === wanted);
  }

  /** Points `reference` at `descriptor`, replacing what the name pointed at before. */
  async set(reference: string, descriptor: Descriptor): Promise<ImageRecord> {
    const name = canonicalReference(reference);
    const checked = parseDescriptor(descriptor, 'descriptor', failFor(`descriptor for ${name}`));
    const entry: Descriptor = {
      ...checked,
      annotations: { ...checked.annotations, [REF_NAME_ANNOTATION]: name, [CREATED_ANNOTATION]: this.now().toISOString() },
    };
    await this.update((doc) => {
      // The new entry takes the old one's place, so `berth images` keeps its order.
      let replaced = false;
      const manifests: Descriptor[] = [];
      for (const d of doc.manifests) {
        if (nameOf(d) !== name) manifests.push(d);
        else if (!replaced) {
          manifests.push(entry);
          replaced = true;
        }
      }
      if (!replaced) manifests.push(entry);
      return { ...doc, manifests };
    });
    return toRecord(name, entry);
  }

  /** Removes a name; false if it was not there. The blobs stay until garbage collection. */
  async delete(reference: string): Promise<boolean> {
    const name = canonicalReference(reference);
    let removed = false;
    await this.update((doc) => {
      const manifests = doc.manifests.filter((d) => nameOf(d) !== name);
      removed = manifests.length !== doc.manifests.length;
      return removed ? { ...doc, manifests } : undefined;
    });
    return removed;
  }

  /** Runs one read-modify-write at a time per index file; `change` returns undefined to skip the write. */
  private update(change: (doc: IndexDocument) => IndexDocument | undefined): Promise<void> {
    return withFileLock(resolve(this.path), async () => {
      const next = change(await this.read());
      if (next === undefined) return;
      await mkdir(this.tempDir, { recursive: true });
      await writeJsonAtomic(
        this.path,
        { schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests: next.manifests, ...(next.annotations ? { annotations: next.annotations } : {}) },
        { tempDir: this.tempDir },
      );
    });
  }

  private async read(): Promise<IndexDocument> {
    let bytes: Buffer;
    try {
      bytes = await readFile(this.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { manifests: [] };
      throw error;
    }
    try {
      const fail = failFor(`image index ${this.path}`);
      const doc = parseJsonObject(bytes, MAX_INDEX_SIZE, fail);
      if (doc.schemaVersion !== 2) fail('schemaVersion', `must be 2, got ${JSON.stringify(doc.schemaVersion)}`);
      const manifests = parseDescriptors(doc.manifests ?? [], 'manifests', fail);
      const annotations = optStringMap(doc.annotations, 'annotations', fail);
      return annotations ? { manifests, annotations } : { manifests };
    } catch (error) {
      if (!(error instanceof InvalidDocumentError)) throw error;
      throw new ImageIndexError(
        `${error.message}. The list of image names is unreadable; restore ${this.path} from a backup, or move it away to start with no names (the image blobs stay in blobs/ and can be re-tagged or re-pulled).`,
      );
    }
  }
}

function nameOf(descriptor: Descriptor): string | undefined {
  return descriptor.annotations?.[REF_NAME_ANNOTATION];
}

function toRecord(name: string, descriptor: Descriptor): ImageRecord {
  const created = descriptor.annotations?.[CREATED_ANNOTATION];
  return created === undefined ? { name, descriptor } : { name, descriptor, created };
}

/** Entries without a name (an OCI layout written by another tool may have some) are kept on disk but not listed. */
function records(manifests: Descriptor[]): ImageRecord[] {
  const out: ImageRecord[] = [];
  for (const descriptor of manifests) {
    const name = nameOf(descriptor);
    if (name !== undefined) out.push(toRecord(name, descriptor));
  }
  return out;
}

const locks = new Map<string, Promise<void>>();

/** Serialises async work per key within this process; the chain is dropped once idle. */
async function withFileLock(key: string, work: () => Promise<void>): Promise<void> {
  const previous = locks.get(key) ?? Promise.resolve();
  const current = previous.then(work);
  const tail = current.catch(() => undefined);
  locks.set(key, tail);
  try {
    await current;
  } finally {
    if (locks.get(key) === tail) locks.delete(key);
  }
}
