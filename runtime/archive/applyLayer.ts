// Extracting a layer tar (plain, gzip or zstd) onto disk, safely against hostile archives.
//
// applyLayer makes a new directory, the snapshot of one layer: it extracts into a staging
// directory beside the target and renames it into place only when every entry was applied,
// so a rejected archive leaves nothing behind. applyLayerInPlace flattens a layer onto an
// existing tree (building a rootfs without overlayfs, or exporting an image) and cannot be
// atomic.
//
// Decisions, with the reasons in the files that implement them:
// - a leading `/` is dropped (`/etc/x` lands in `<root>/etc/x`, as with Docker); a relative
//   name whose `..` climbs above the root rejects the archive (entryName.ts);
// - symlinks above an entry are followed, but only inside the root, like a chroot: `link -> /`
//   then `link/etc/x` writes `<root>/etc/x` (scopedPath.ts);
// - an entry's own last component is never followed, only replaced;
// - hard links must name a regular file this layer extracted earlier;
// - only a directory may stand for the root (`./`), and then only its metadata is applied.
import { mkdir, mkdtemp, rename, rm, chmod, lchown } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { identityIdMap, type IdMapper } from './idMap';
import { readLayer, type LayerLimits, type LayerSummary } from './layerEntries';
import { LayerArchiveError, toLayerArchiveError } from './layerErrors';
import { LayerWriter, type WhiteoutMode, type WriterOptions } from './layerWriter';
import { lstatOrUndefined } from './scopedPath';
import type { OverlayXattrNamespace } from './xattr';

/** A layer blob: a Node stream (a file, an HTTP body), any async iterable of bytes, or the bytes. */
export type LayerSource = NodeJS.ReadableStream | AsyncIterable<Uint8Array> | Uint8Array;

export interface ApplyLayerOptions {
  /**
   * 'overlay': the target will be an overlay lowerdir, so `.wh.name` becomes a 0/0 character
   * device and `dir/.wh..wh..opq` sets `trusted.overlay.opaque=y` on `dir` (needs setfattr,
   * from Debian's `attr` package). 'apply': whiteouts delete what they name.
   */
  readonly whiteouts: WhiteoutMode;
  /** Container ids in the tar → ids on disk. Identity by default. */
  readonly idMap?: IdMapper;
  /** Set owners (through idMap). Default: when running as root; elsewhere chown would fail. */
  readonly chown?: boolean;
  /** Create char/block device entries. Default true, and always false when not root. */
  readonly allowDevices?: boolean;
  /** Largest single entry in bytes. Default 64 GiB. */
  readonly maxEntrySize?: number;
  /** Largest uncompressed tar in bytes; stops decompression bombs. Default 64 GiB. */
  readonly maxTotalSize?: number;
  /** Most entries. Default 2,000,000. */
  readonly maxEntries?: number;
  /** `user` for overlay mounted with `userxattr` in a user namespace. Default `trusted`. */
  readonly overlayXattrNamespace?: OverlayXattrNamespace;
}

export type ApplyInPlaceOptions = Omit<ApplyLayerOptions, 'whiteouts' | 'overlayXattrNamespace'>;

export interface ApplyResult {
  /** `sha256:<hex>` of the uncompressed tar: the image config's diff_id for this layer. */
  readonly diffId: string;
  /** Uncompressed bytes. */
  readonly size: number;
  /** Tar entries (PAX and GNU long-name records not counted). */
  readonly entries: number;
}

export const DEFAULT_LIMITS: LayerLimits = {
  maxEntrySize: 64 * 1024 ** 3,
  maxTotalSize: 64 * 1024 ** 3,
  maxEntries: 2_000_000,
};

const NOTHING_EXTRACTED = 'the archive was rejected and nothing was extracted';

/**
 * Extracts a layer into `target`, which must not exist yet (its parent must). On success
 * `target` holds the whole layer; on failure it does not exist and the staging directory
 * (`.<name>.partial-XXXXXX` beside it) is removed. A crash mid-way can leave a staging
 * directory behind; callers owning the parent may sweep `.*.partial-*` on start.
 */
export async function applyLayer(source: LayerSource, target: string, options: ApplyLayerOptions): Promise<ApplyResult> {
  const destination = resolve(target);
  const parent = dirname(destination);
  const writerOptions = resolveWriterOptions(options, options.whiteouts);
  if ((await lstatOrUndefined(destination)) !== undefined) {
    throw new LayerArchiveError(
      `cannot extract a layer into ${JSON.stringify(destination)}: it already exists; applyLayer creates the directory itself ` +
        '(remove it first, or use applyLayerInPlace to flatten onto an existing tree)',
      undefined,
    );
  }
  const parentStat = await lstatOrUndefined(parent);
  if (parentStat === undefined || !parentStat.isDirectory()) {
    throw new LayerArchiveError(`cannot extract a layer into ${JSON.stringify(destination)}: its parent directory does not exist; create it first`, undefined);
  }

  const staging = await mkdtemp(join(parent, `.${basename(destination)}.partial-`));
  try {
    const root = join(staging, 'root');
    await mkdir(root);
    // Like a fresh overlay layer directory: 0755, owned by the (mapped) root user.
    await chmod(root, 0o755);
    if (writerOptions.chown) {
      const owner = writerOptions.idMap(0, 0);
      await lchown(root, owner.uid, owner.gid);
    }
    const summary = await extract(source, root, writerOptions, limitsOf(options));
    if ((await lstatOrUndefined(destination)) !== undefined) {
      throw new LayerArchiveError(
        `cannot extract a layer into ${JSON.stringify(destination)}: something created it while the layer was being extracted; ${NOTHING_EXTRACTED}`,
        undefined,
      );
    }
    await rename(root, destination);
    return summary;
  } catch (err) {
    throw toLayerArchiveError(err, NOTHING_EXTRACTED);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/**
 * Applies a layer onto the existing directory `target`, deleting what its whiteouts name
 * ('apply' whiteout mode). Not atomic: when an entry is rejected the entries before it have
 * already been applied, and the error says the tree should be discarded. Nothing else may
 * change `target` meanwhile (symlinks are resolved inside it entry by entry).
 */
export async function applyLayerInPlace(source: LayerSource, target: string, options: ApplyInPlaceOptions = {}): Promise<ApplyResult> {
  const root = resolve(target);
  const stat = await lstatOrUndefined(root);
  if (stat === undefined || !stat.isDirectory()) {
    throw new LayerArchiveError(`cannot apply a layer onto ${JSON.stringify(root)}: it is not an existing directory`, undefined);
  }
  try {
    return await extract(source, root, resolveWriterOptions(options, 'apply'), limitsOf(options));
  } catch (err) {
    throw toLayerArchiveError(err, `the archive was rejected; ${JSON.stringify(root)} may hold part of it and should be discarded`);
  }
}

async function extract(source: LayerSource, root: string, options: WriterOptions, limits: LayerLimits): Promise<LayerSummary> {
  const reader = readLayer(asyncBytes(source), limits);
  const writer = new LayerWriter(root, options);
  for await (const entry of reader.entries) await writer.write(entry);
  await writer.finish();
  return reader.summary();
}

function asyncBytes(source: LayerSource): AsyncIterable<unknown> {
  if (source instanceof Uint8Array) {
    return (async function* bytes() {
      yield source;
    })();
  }
  if (typeof (source as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator] !== 'function') {
    throw new LayerArchiveError('the layer source must be a readable stream, an async iterable of bytes, or a Uint8Array', undefined);
  }
  return source;
}

function resolveWriterOptions(options: ApplyInPlaceOptions & { overlayXattrNamespace?: OverlayXattrNamespace }, whiteouts: WhiteoutMode): WriterOptions {
  if (whiteouts !== 'overlay' && whiteouts !== 'apply') {
    throw new LayerArchiveError(`applyLayer option whiteouts must be 'overlay' or 'apply', not ${JSON.stringify(whiteouts)}`, undefined);
  }
  const isRoot = process.getuid?.() === 0;
  const allowDevices = isRoot && (options.allowDevices ?? true);
  return {
    whiteouts,
    idMap: options.idMap ?? identityIdMap,
    chown: options.chown ?? isRoot,
    allowDevices,
    devicesRefusedBecause: !isRoot ? 'berth is not running as root' : 'allowDevices is false',
    xattrNamespace: options.overlayXattrNamespace ?? 'trusted',
  };
}

function limitsOf(options: ApplyInPlaceOptions): LayerLimits {
  const limits = {
    maxEntrySize: options.maxEntrySize ?? DEFAULT_LIMITS.maxEntrySize,
    maxTotalSize: options.maxTotalSize ?? DEFAULT_LIMITS.maxTotalSize,
    maxEntries: options.maxEntries ?? DEFAULT_LIMITS.maxEntries,
  };
  for (const [key, value] of Object.entries(limits)) {
    if (!(value >= 0)) throw new LayerArchiveError(`applyLayer option ${key} must be a non-negative number, not ${value}`, undefined);
  }
  return limits;
}
