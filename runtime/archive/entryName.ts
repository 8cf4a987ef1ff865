// Pure rules for the names inside a layer tar: how a name is cleaned, when it escapes the
// layer root, and which names are whiteouts. No file system access here.
//
// Decision, following Docker (moby pkg/archive, `filepath.Clean` then a breakout check):
// a leading `/` is dropped, so `/etc/x` means `etc/x` inside the root, and `..` is resolved
// lexically. In an absolute name `..` stops at the root (`/../x` is `x`), as the kernel does
// for `/..`; in a relative name a `..` that climbs above the root (`../x`, `a/../../x`) makes
// the entry escape, which rejects the whole archive. containerd clamps that case too; we
// reject it because no tool writes such names except to attack.

export const WHITEOUT_PREFIX = '.wh.';
export const OPAQUE_MARKER = '.wh..wh..opq';
/** AUFS bookkeeping at the layer root (`.wh..wh.plnk`, `.wh..wh.aufs`): skipped, as Docker does. */
const AUFS_META_PREFIX = '.wh..wh.';

/**
 * The components of `name` below the layer root, or `undefined` when the name escapes it.
 * An empty list is the root itself (`.`, `./`, `/`, `a/..`).
 */
export function cleanEntryName(name: string): string[] | undefined {
  const absolute = name.startsWith('/');
  const parts: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length > 0) parts.pop();
      else if (!absolute) return undefined;
      continue;
    }
    parts.push(part);
  }
  return parts;
}

export type WhiteoutKind =
  | { readonly kind: 'none' }
  /** `dir/.wh..wh..opq`: hide everything lower layers have in `dir`. */
  | { readonly kind: 'opaque'; readonly dir: readonly string[] }
  /** `dir/.wh.name`: delete `dir/name` of lower layers. */
  | { readonly kind: 'remove'; readonly dir: readonly string[]; readonly name: string }
  /** AUFS metadata at the root: not part of the image's files. */
  | { readonly kind: 'aufs-meta' }
  /** A whiteout that names no file (`.wh.`, `.wh..`, `.wh...`). */
  | { readonly kind: 'invalid'; readonly name: string };

/** Classifies cleaned components (from cleanEntryName). */
export function classifyWhiteout(parts: readonly string[]): WhiteoutKind {
  if (parts.length === 0) return { kind: 'none' };
  if (parts[0].startsWith(AUFS_META_PREFIX) && !(parts.length === 1 && parts[0] === OPAQUE_MARKER)) {
    return { kind: 'aufs-meta' };
  }
  const base = parts[parts.length - 1];
  if (!base.startsWith(WHITEOUT_PREFIX)) return { kind: 'none' };
  const dir = parts.slice(0, -1);
  if (base === OPAQUE_MARKER) return { kind: 'opaque', dir };
  const name = base.slice(WHITEOUT_PREFIX.length);
  if (name === '' || name === '.' || name === '..') return { kind: 'invalid', name };
  return { kind: 'remove', dir, name };
}
