// Id mapping between container and host ids.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IdMapError, identityIdMapping, offsetIdMapping, rangeIdMapping } from '../../../runtime/archive/idMap';

test('identity maps every id to itself', () => {
  assert.deepEqual(identityIdMapping.toHost(0, 0), { uid: 0, gid: 0 });
  assert.deepEqual(identityIdMapping.toContainer(70000, 5), { uid: 70000, gid: 5 });
});

test('an offset mapping shifts both ways and refuses ids outside its range', () => {
  const mapping = offsetIdMapping(100000, 65536);
  assert.deepEqual(mapping.toHost(0, 0), { uid: 100000, gid: 100000 });
  assert.deepEqual(mapping.toHost(65535, 1000), { uid: 165535, gid: 101000 });
  assert.deepEqual(mapping.toContainer(101000, 100005), { uid: 1000, gid: 5 });
  assert.throws(() => mapping.toHost(65536, 0), (err: unknown) => err instanceof IdMapError && /container uid 65536 has no mapping \(mapped container uids: 0-65535\)/.test(err.message));
  assert.throws(() => mapping.toContainer(0, 100000), /host uid 0 has no mapping \(mapped host uids: 100000-165535\); widen the subordinate id range in \/etc\/subuid/);
  assert.throws(() => mapping.toContainer(100000, 99999), /host gid 99999 has no mapping .* \/etc\/subgid/);
});

test('several ranges, like a uid_map with a hole for the user itself', () => {
  const mapping = rangeIdMapping(
    [
      { containerId: 0, hostId: 1000, size: 1 },
      { containerId: 1, hostId: 100000, size: 65535 },
    ],
    [{ containerId: 0, hostId: 1000, size: 65536 }],
  );
  assert.deepEqual(mapping.toHost(0, 0), { uid: 1000, gid: 1000 });
  assert.deepEqual(mapping.toHost(1, 1), { uid: 100000, gid: 1001 });
  assert.deepEqual(mapping.toContainer(100009, 1009), { uid: 10, gid: 9 });
});

test('overlapping or malformed ranges are refused', () => {
  assert.throws(
    () => rangeIdMapping([{ containerId: 0, hostId: 0, size: 10 }, { containerId: 5, hostId: 100, size: 10 }], []),
    /uid ranges .* overlap on the container side/,
  );
  assert.throws(() => rangeIdMapping([], [{ containerId: 0, hostId: 0, size: 10 }, { containerId: 20, hostId: 9, size: 1 }]), /overlap on the host side/);
  assert.throws(() => rangeIdMapping([{ containerId: 0, hostId: 0, size: 0 }], []), /is empty/);
  assert.throws(() => rangeIdMapping([{ containerId: -1, hostId: 0, size: 1 }], []), /non-negative integers/);
});
