// Which repositories of which registry a blob is known to be in, so a push can ask the registry
// to mount the blob from there (`POST …/uploads/?mount=<digest>&from=<repo>`) instead of
// uploading it again. Pulls and pushes record what they moved; the record is a hint only: a
// refused mount falls back to an upload. The file-backed form keeps it in a small JSON file next
// to the content store (written atomically, one writer per process, like index.json).
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeJsonAtomic } from '../store/atomicFile';
import type { Digest } from '../store/digest';

export interface BlobSources {
  /** Repository paths in `registry` that held `digest`, most recent first. */
  sourcesOf(digest: Digest, registry: string): Promise<string[]>;
  record(digests: Iterable<Digest>, registry: string, path: string): Promise<void>;
}

/** Keep a few recent repositories per blob: one that still has it is enough. */
const MAX_SOURCES_PER_BLOB = 4;

type SourceMap = Record<string, string[]>;

function add(map: SourceMap, digests: Iterable<Digest>, registry: string, path: string): void {
  const entry = `${registry}/${path}`;
  for (const digest of digests) map[digest] = [entry, ...(map[digest] ?? []).filter((e) => e !== entry)].slice(0, MAX_SOURCES_PER_BLOB);
}

function lookup(map: SourceMap, digest: Digest, registry: string): string[] {
  const prefix = `${registry}/`;
  return (map[digest] ?? []).filter((e) => e.startsWith(prefix)).map((e) => e.slice(prefix.length));
}

export class MemoryBlobSources implements BlobSources {
  private readonly map: SourceMap = {};
  async sourcesOf(digest: Digest, registry: string): Promise<string[]> {
    return lookup(this.map, digest, registry);
  }
  async record(digests: Iterable<Digest>, registry: string, path: string): Promise<void> {
    add(this.map, digests, registry, path);
  }
}

export class FileBlobSources implements BlobSources {
  private chain: Promise<unknown> = Promise.resolve();

  /** @param path e.g. `<store root>/registry-sources.json` */
  constructor(readonly path: string) {}

  async sourcesOf(digest: Digest, registry: string): Promise<string[]> {
    return lookup(await this.read(), digest, registry);
  }

  record(digests: Iterable<Digest>, registry: string, path: string): Promise<void> {
    const list = [...digests];
    const next = this.chain.then(async () => {
      const map = await this.read();
      add(map, list, registry, path);
      await mkdir(dirname(this.path), { recursive: true });
      await writeJsonAtomic(this.path, map);
    });
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async read(): Promise<SourceMap> {
    try {
      const doc: unknown = JSON.parse(await readFile(this.path, 'utf8'));
      if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return {};
      const out: SourceMap = {};
      for (const [key, value] of Object.entries(doc)) if (Array.isArray(value)) out[key] = value.filter((v): v is string => typeof v === 'string');
      return out;
    } catch {
      // Missing or damaged: it is only a hint, so start afresh rather than fail a push.
      return {};
    }
  }
}
