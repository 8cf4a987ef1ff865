// User and group id mapping between a container's view and the host's.
// A layer tar records the ids the container sees; the files on disk carry host ids. Running as
// root with no user namespace the two are the same (identity); rootless, container ids are
// shifted into the subordinate ranges of /etc/subuid and /etc/subgid. applyLayer maps
// container → host, diffLayer maps host → container.

export interface Ids {
  readonly uid: number;
  readonly gid: number;
}

/** Maps a uid/gid pair to the other side. Throws an IdMapError when an id has no mapping. */
export type IdMapper = (uid: number, gid: number) => Ids;

/**
 * One mapping line: container ids [containerId, containerId + size) are host ids
 * [hostId, hostId + size). Same shape as a user namespace's uid_map line; /etc/subuid gives
 * the host side (`user:hostId:size`), the container side usually starts at 0 or 1.
 */
export interface IdRange {
  readonly containerId: number;
  readonly hostId: number;
  readonly size: number;
}

/** Both directions of one mapping, so applying and diffing a layer agree on it. */
export interface IdMapping {
  /** Container ids (in a layer tar) → host ids (on disk). */
  readonly toHost: IdMapper;
  /** Host ids (on disk) → container ids (in a layer tar). */
  readonly toContainer: IdMapper;
}

export class IdMapError extends Error {
  override name = 'IdMapError';
}

export const identityIdMap: IdMapper = (uid, gid) => ({ uid, gid });

export const identityIdMapping: IdMapping = { toHost: identityIdMap, toContainer: identityIdMap };

/**
 * A mapping made of explicit ranges, one list for uids and one for gids.
 * Ranges must not overlap on either side, or the mapping would not be reversible.
 */
export function rangeIdMapping(uidRanges: readonly IdRange[], gidRanges: readonly IdRange[]): IdMapping {
  validateRanges('uid', uidRanges);
  validateRanges('gid', gidRanges);
  const uidToHost = rangeLookup('uid', uidRanges, 'containerId', 'hostId');
  const gidToHost = rangeLookup('gid', gidRanges, 'containerId', 'hostId');
  const uidToContainer = rangeLookup('uid', uidRanges, 'hostId', 'containerId');
  const gidToContainer = rangeLookup('gid', gidRanges, 'hostId', 'containerId');
  return {
    toHost: (uid, gid) => ({ uid: uidToHost(uid), gid: gidToHost(gid) }),
    toContainer: (uid, gid) => ({ uid: uidToContainer(uid), gid: gidToContainer(gid) }),
  };
}

/**
 * The common rootless shape: container ids 0..size-1 are host ids hostId..hostId+size-1,
 * for both uids and gids (one /etc/subuid line and the matching /etc/subgid line).
 */
export function offsetIdMapping(hostId: number, size: number): IdMapping {
  const range = { containerId: 0, hostId, size };
  return rangeIdMapping([range], [range]);
}

type Side = 'containerId' | 'hostId';

function rangeLookup(kind: 'uid' | 'gid', ranges: readonly IdRange[], from: Side, to: Side): (id: number) => number {
  const direction = from === 'containerId' ? 'container' : 'host';
  return (id) => {
    for (const range of ranges) {
      const offset = id - range[from];
      if (offset >= 0 && offset < range.size) return range[to] + offset;
    }
    const known = ranges.map((r) => `${r[from]}-${r[from] + r.size - 1}`).join(', ') || 'none';
    throw new IdMapError(
      `${direction} ${kind} ${id} has no mapping (mapped ${direction} ${kind}s: ${known}); ` +
        `widen the subordinate id range in /etc/sub${kind} or fix the file's owner`,
    );
  };
}

function validateRanges(kind: 'uid' | 'gid', ranges: readonly IdRange[]): void {
  for (const r of ranges) {
    for (const value of [r.containerId, r.hostId, r.size]) {
      if (!Number.isSafeInteger(value) || value < 0) {
        throw new IdMapError(`${kind} range ${JSON.stringify(r)} must hold non-negative integers`);
      }
    }
    if (r.size === 0) throw new IdMapError(`${kind} range ${JSON.stringify(r)} is empty; give it a size of at least 1`);
  }
  for (const side of ['containerId', 'hostId'] as const) {
    const sorted = [...ranges].sort((a, b) => a[side] - b[side]);
    for (let i = 1; i < sorted.length; i++) {
      if (sorted[i][side] < sorted[i - 1][side] + sorted[i - 1].size) {
        throw new IdMapError(
          `${kind} ranges ${JSON.stringify(sorted[i - 1])} and ${JSON.stringify(sorted[i])} overlap on the ${side === 'hostId' ? 'host' : 'container'} side`,
        );
      }
    }
  }
}
