// Turns an overlay upper dir (what a container or build step changed) into a layer tar, the
// reverse of applyLayer's 'overlay' mode: a 0/0 character device becomes `.wh.<name>`, a
// directory marked opaque gets `<dir>/.wh..wh..opq` right after its own entry.
//
// The output is deterministic, so the same tree gives the same bytes and the same diff_id:
// names in byte order, parents before children, whole-second mtimes (optionally clamped), no
// user or group names, no atime/ctime. The upper dir must not change meanwhile (stop the
// container first) and must be a plain diff: mount overlay with index=off, redirect_dir=off and
// metacopy=off (a redirect or metacopy xattr is reported as an error).
import { constants, type Stats } from 'node:fs';
import { lstat, open, readdir, readlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import * as tar from 'tar-stream';
import { OPAQUE_MARKER, WHITEOUT_PREFIX } from './entryName';
import { identityIdMap, type IdMapper } from './idMap';
import { splitDeviceNumber } from './specialFiles';
import { scanOverlayMarks, type OverlayMarks } from './xattr';

export interface DiffLayerOptions {
  /** Host ids on disk → container ids in the tar (the inverse of applyLayer's idMap). Identity by default. */
  readonly idMap?: IdMapper;
  /** Later mtimes are written as this time, for reproducible layers (like SOURCE_DATE_EPOCH). */
  readonly mtimeClamp?: Date;
}

export class LayerDiffError extends Error {
  override name = 'LayerDiffError';
}

/** Largest id the tar header's field holds as tar-stream writes it; larger ones go to PAX. */
const MAX_USTAR_ID = 0o777777;
const READ_CHUNK = 256 * 1024;

/**
 * The layer tar (uncompressed; gzip it for a registry) for `upperDir`. Errors, such as a file
 * that changed size while being read, are emitted on the stream.
 */
export function diffLayer(upperDir: string, options: DiffLayerOptions = {}): Readable {
  return Readable.from(diffLayerChunks(resolve(upperDir), options), { objectMode: false });
}

async function* diffLayerChunks(upper: string, options: DiffLayerOptions): AsyncGenerator<Buffer> {
  const pack = tar.pack();
  let failure: unknown;
  const producing = new LayerPacker(upper, options, pack).run().then(
    () => pack.finalize(),
    (err: unknown) => {
      failure = err;
      pack.destroy(err instanceof Error ? err : new Error(String(err)));
    },
  );
  try {
    for await (const chunk of pack) {
      if (!Buffer.isBuffer(chunk)) throw new Error('tar-stream produced a non-Buffer chunk');
      yield chunk;
    }
  } catch (err) {
    throw failure ?? err;
  } finally {
    if (!pack.destroyed) pack.destroy();
    await producing;
  }
  if (failure !== undefined) throw failure;
}

class LayerPacker {
  private readonly idMap: IdMapper;
  private readonly clampSeconds: number | undefined;
  /** `dev:ino` of regular files with several links → the first name written. */
  private readonly linked = new Map<string, string>();
  private marks: OverlayMarks = { opaque: new Set(), indirect: new Map() };

  constructor(
    private readonly upper: string,
    options: DiffLayerOptions,
    private readonly pack: tar.Pack,
  ) {
    this.idMap = options.idMap ?? identityIdMap;
    this.clampSeconds = options.mtimeClamp === undefined ? undefined : Math.floor(options.mtimeClamp.getTime() / 1000);
  }

  async run(): Promise<void> {
    const stat = await lstat(this.upper).catch((err: unknown) => {
      throw new LayerDiffError(`cannot diff ${JSON.stringify(this.upper)}: ${err instanceof Error ? err.message : String(err)}`);
    });
    if (!stat.isDirectory()) throw new LayerDiffError(`cannot diff ${JSON.stringify(this.upper)}: it is not a directory`);
    this.marks = await scanOverlayMarks(this.upper);
    const [indirect] = this.marks.indirect;
    if (indirect !== undefined) {
      throw new LayerDiffError(
        `${JSON.stringify(indirect[0])} has the ${indirect[1]} xattr, so the upper dir is not a plain diff; ` +
          'mount the overlay with index=off,redirect_dir=off,metacopy=off',
      );
    }
    await this.walk(this.upper, '');
  }

  private async walk(dir: string, rel: string): Promise<void> {
    const names = (await readdir(dir, { encoding: 'buffer' })).sort(Buffer.compare);
    for (const raw of names) {
      const name = raw.toString('utf8');
      const relPath = rel === '' ? name : `${rel}/${name}`;
      if (!Buffer.from(name, 'utf8').equals(raw)) {
        throw new LayerDiffError(`${JSON.stringify(join(this.upper, relPath))} has a file name that is not valid UTF-8, which a layer tar cannot carry faithfully`);
      }
      const path = join(dir, name);
      try {
        await this.add(path, relPath, await lstat(path));
      } catch (err) {
        if (err instanceof LayerDiffError) throw err;
        throw new LayerDiffError(`archiving ${JSON.stringify(path)} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      }
    }
  }

  private async add(path: string, relPath: string, stat: Stats): Promise<void> {
    const base = this.baseHeader(stat);
    if (stat.isCharacterDevice() && stat.rdev === 0) {
      // An overlay whiteout: the file was deleted from a lower layer.
      const slash = relPath.lastIndexOf('/');
      const name = `${relPath.slice(0, slash + 1)}${WHITEOUT_PREFIX}${relPath.slice(slash + 1)}`;
      await this.entry({ ...base, name, type: 'file', mode: constants.S_IFREG | 0o600, size: 0 }, Buffer.alloc(0));
    } else if (stat.isDirectory()) {
      await this.entry({ ...base, name: `${relPath}/`, type: 'directory' });
      if (this.marks.opaque.has(path)) {
        await this.entry(
          { ...base, name: `${relPath}/${OPAQUE_MARKER}`, type: 'file', mode: constants.S_IFREG | (stat.mode & 0o777), size: 0 },
          Buffer.alloc(0),
        );
      }
      await this.walk(path, relPath);
    } else if (stat.isFile()) {
      const key = `${stat.dev}:${stat.ino}`;
      const first = stat.nlink > 1 ? this.linked.get(key) : undefined;
      if (first !== undefined) {
        await this.entry({ ...base, name: relPath, type: 'link', linkname: first, size: 0 });
        return;
      }
      if (stat.nlink > 1) this.linked.set(key, relPath);
      await this.entry({ ...base, name: relPath, type: 'file', size: stat.size }, stat.size === 0 ? Buffer.alloc(0) : fileBytes(path, stat.size));
    } else if (stat.isSymbolicLink()) {
      const target = await readlink(path, { encoding: 'buffer' });
      const linkname = target.toString('utf8');
      if (!Buffer.from(linkname, 'utf8').equals(target)) {
        throw new LayerDiffError(`the symbolic link ${JSON.stringify(path)} has a target that is not valid UTF-8`);
      }
      await this.entry({ ...base, name: relPath, type: 'symlink', linkname });
    } else if (stat.isCharacterDevice() || stat.isBlockDevice()) {
      const { major, minor } = splitDeviceNumber(stat.rdev);
      const type = stat.isCharacterDevice() ? 'character-device' : 'block-device';
      await this.entry({ ...base, name: relPath, type, devmajor: major, devminor: minor });
    } else if (stat.isFIFO()) {
      await this.entry({ ...base, name: relPath, type: 'fifo' });
    } else if (stat.isSocket()) {
      // A socket is recreated by whatever listens on it; it has no content to carry (Docker skips them too).
    } else {
      throw new LayerDiffError(`${JSON.stringify(path)} is a kind of file a layer cannot hold`);
    }
  }

  /**
   * Owner, full st_mode and mtime. The mode keeps its file-type bits on purpose: tar-stream
   * replaces a mode of 0 with a default, and its encoder keeps only the low 12 bits anyway.
   */
  private baseHeader(stat: Stats): PackHeader {
    const { uid, gid } = this.idMap(stat.uid, stat.gid);
    let seconds = Math.max(0, Math.floor(stat.mtimeMs / 1000)); // before 1970 cannot be written in octal
    if (this.clampSeconds !== undefined) seconds = Math.min(seconds, this.clampSeconds);
    const header: PackHeader = { name: '', mode: stat.mode, uid, gid, mtime: new Date(seconds * 1000) };
    if (uid > MAX_USTAR_ID || gid > MAX_USTAR_ID) header.pax = { uid: String(uid), gid: String(gid) };
    return header;
  }

  /** Adds one entry and waits until the pack has taken it (backpressure). */
  private entry(header: PackHeader, body?: Buffer | AsyncIterable<Buffer>): Promise<void> {
    return new Promise((resolveEntry, reject) => {
      const done = (err?: Error | null): void => (err ? reject(err) : resolveEntry());
      if (body === undefined) {
        this.pack.entry(header, done);
        return;
      }
      if (Buffer.isBuffer(body)) {
        this.pack.entry(header, body, done);
        return;
      }
      const sink = this.pack.entry(header, done);
      pipeInto(body, sink).catch((err: unknown) => sink.destroy(err instanceof Error ? err : new Error(String(err))));
    });
  }
}

type Sink = ReturnType<tar.Pack['entry']>;
/** What tar-stream's pack.entry takes (its own name for it is not exported). */
type PackHeader = Partial<tar.Header> & Pick<tar.Header, 'name'>;

async function pipeInto(body: AsyncIterable<Buffer>, sink: Sink): Promise<void> {
  for await (const chunk of body) {
    if (sink.destroying) return;
    if (!sink.write(chunk)) {
      await new Promise<void>((resolveDrain) => {
        const go = (): void => {
          sink.off('drain', go);
          sink.off('close', go);
          resolveDrain();
        };
        sink.on('drain', go);
        sink.on('close', go);
      });
    }
  }
  sink.end(undefined);
}

/** Exactly `size` bytes of the file, or an error saying it changed. */
async function* fileBytes(path: string, size: number): AsyncGenerator<Buffer> {
  const file = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    let remaining = size;
    while (remaining > 0) {
      const buffer = Buffer.alloc(Math.min(READ_CHUNK, remaining));
      const { bytesRead } = await file.read(buffer, 0, buffer.length, size - remaining);
      if (bytesRead === 0) {
        throw new LayerDiffError(`${JSON.stringify(path)} shrank while it was being archived; stop the container before diffing its upper dir`);
      }
      remaining -= bytesRead;
      yield bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead);
    }
  } finally {
    await file.close();
  }
}
