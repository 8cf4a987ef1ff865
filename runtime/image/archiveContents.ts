// The files of an image archive (`docker save`, an OCI layout tar), read into the content store
// as they stream past: entry order is arbitrary, so every regular file is ingested (which
// digests it) and remembered by its path. Nothing is written under an archive path: paths only
// name blobs, within the archive's own namespace, and symlinks are resolved in that namespace.
import type { BlobInfo, ContentStore } from '../store/contentStore';
import type { Digest } from '../store/digest';
import { ImageError } from './imageError';
import { forEachTarEntry } from './tarEntries';

/** Legacy archives hold 3 files per layer; this is far beyond any real image set. */
export const DEFAULT_MAX_ENTRIES = 50_000;
const MAX_SYMLINK_HOPS = 40;
const BLOB_PATH_RE = /^blobs\/sha256\/([0-9a-f]{64})$/;

export interface ArchiveReadOptions {
  maxEntries?: number;
  /** Called after each entry with the number of entries read so far. */
  onEntry?: (count: number) => void;
}

export class ArchiveContents {
  private readonly files = new Map<string, BlobInfo>();
  private readonly symlinks = new Map<string, string>();
  private readonly directories = new Set<string>();
  private readonly byDigest = new Map<Digest, string>();

  private constructor() {}

  /** Reads the whole tar stream; rejects entries that are not files, directories or symlinks. */
  static async read(store: ContentStore, source: AsyncIterable<Buffer>, options: ArchiveReadOptions = {}): Promise<ArchiveContents> {
    const contents = new ArchiveContents();
    const maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
    let count = 0;
    await forEachTarEntry(source, 'the image archive', async (header, body) => {
      count++;
      if (count > maxEntries) {
        throw new ImageError('invalid-archive', `the image archive has more than ${maxEntries} entries; a docker save archive has a few per layer, so berth stopped reading it`);
      }
      const path = entryPath(header.name);
      if (path === '') return; // the archive's root directory, "./"
      if (contents.files.has(path) || contents.symlinks.has(path) || (contents.directories.has(path) && header.type !== 'directory')) {
        throw new ImageError('invalid-archive', `the image archive has ${JSON.stringify(header.name)} twice; berth does not guess which one counts`);
      }
      switch (header.type) {
        case 'file':
        case 'contiguous-file': {
          const blob = await store.ingest(body, { size: header.size });
          const named = BLOB_PATH_RE.exec(path);
          if (named !== null && blob.digest !== `sha256:${named[1]}`) {
            throw new ImageError('invalid-archive', `the image archive's ${path} does not match its name: its content digests to ${blob.digest}. The archive is corrupt or was altered`);
          }
          contents.files.set(path, blob);
          contents.byDigest.set(blob.digest, path);
          break;
        }
        case 'directory':
          contents.directories.add(path);
          break;
        case 'symlink':
          contents.symlinks.set(path, header.linkname);
          break;
        default:
          throw new ImageError(
            'invalid-archive',
            `the image archive has a ${header.type} entry ${JSON.stringify(header.name)}; an image archive holds only files, directories and symlinks, so berth refuses it`,
          );
      }
      options.onEntry?.(count);
    });
    return contents;
  }

  /** The regular file at `path` (a clean relative path), following symlinks; undefined if absent. */
  file(path: string): BlobInfo | undefined {
    const resolved = this.resolve(path);
    return resolved === undefined ? undefined : this.files.get(resolved);
  }

  /** Some file in the archive with this content, if any. */
  blob(digest: Digest): BlobInfo | undefined {
    return this.byDigest.has(digest) ? this.files.get(this.byDigest.get(digest)!) : undefined;
  }

  /** Follows symlinks component by component; targets are relative to the link's directory, absolute ones to the archive's root. */
  private resolve(path: string): string | undefined {
    let parts = path.split('/');
    let hops = 0;
    for (let i = 0; i < parts.length; i++) {
      const prefix = parts.slice(0, i + 1).join('/');
      const target = this.symlinks.get(prefix);
      if (target === undefined) continue;
      if (++hops > MAX_SYMLINK_HOPS) {
        throw new ImageError('invalid-archive', `the image archive's symlinks starting at ${JSON.stringify(path)} loop (more than ${MAX_SYMLINK_HOPS} links)`);
      }
      const base = target.startsWith('/') ? [] : parts.slice(0, i);
      const joined = normalise([...base, ...target.split('/'), ...parts.slice(i + 1)]);
      if (joined === undefined) {
        throw new ImageError('invalid-archive', `the image archive's symlink ${prefix} -> ${JSON.stringify(target)} points outside the archive`);
      }
      parts = joined;
      i = -1;
    }
    const resolved = parts.join('/');
    return this.files.has(resolved) ? resolved : undefined;
  }
}

/** An entry's name as a clean relative path ('' for the root); rejects names that climb out. */
function entryPath(name: string): string {
  const parts = normalise(name.split('/'));
  if (parts === undefined) throw new ImageError('invalid-archive', `the image archive has an entry ${JSON.stringify(name)} that points outside the archive; berth refuses such archives`);
  return parts.join('/');
}

/** Drops empty and "." components and applies ".."; undefined when ".." climbs above the root. */
function normalise(parts: string[]): string[] | undefined {
  const out: string[] = [];
  for (const part of parts) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length === 0) return undefined;
      out.pop();
    } else out.push(part);
  }
  return out;
}
