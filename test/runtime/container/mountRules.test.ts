// The pure rules behind mounts and run options: `-v`, `--mount` and `--tmpfs` parsing with
// Docker's messages, which mount wins at a destination, the OCI mounts and tmpfs options,
// capabilities, the spec's privileged and read-only shapes, volume names, prune filters, and
// the init lookup's message.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseUntil } from '../../../runtime/api/containerPruneHandler';
import { labelFilterMatches } from '../../../runtime/api/labelFilter';
import { parseBind, parseMount, parseRunOptions, parseTmpfs } from '../../../runtime/api/runOptionsBody';
import { capabilitiesInMask, effectiveCapabilities, normalizeCapabilities } from '../../../runtime/container/capabilities';
import { deviceNumbers } from '../../../runtime/container/hostDevices';
import { findInitBinary } from '../../../runtime/container/initBinary';
import { initMount, mergeTmpfsOptions, ociMounts, planMounts, withInit } from '../../../runtime/container/mounts';
import { DEFAULT_CAPABILITIES, ociSpec, type SpecInput } from '../../../runtime/container/ociSpec';
import type { MountRequest } from '../../../runtime/container/runOptions';
import { volumeNameProblem } from '../../../runtime/volume/volumeName';

test('-v: binds, named and anonymous volumes, modes, and Docker\'s messages', () => {
  assert.deepEqual(pick(parseBind('/host/dir/:/ctr:ro')), { type: 'bind', source: '/host/dir', target: '/ctr', readOnly: true, propagation: '', createSource: true, mode: 'ro' });
  assert.deepEqual(pick(parseBind('/h:/c:rw,rshared')), { type: 'bind', source: '/h', target: '/c', readOnly: false, propagation: 'rshared', createSource: true, mode: 'rw,rshared' });
  assert.deepEqual(pick(parseBind('data:/var/lib/x')), { type: 'volume', source: 'data', target: '/var/lib/x', readOnly: false, propagation: '', createSource: false, mode: 'z' });
  assert.equal(parseBind('data:/x:nocopy').noCopy, true);
  assert.deepEqual(pick(parseBind('/only/target')), { type: 'volume', source: '', target: '/only/target', readOnly: false, propagation: '', createSource: false, mode: '' });
  const refused: [string, RegExp][] = [
    ['/h:relative', /invalid volume specification: '\/h:relative': invalid mount config for type "bind": invalid mount path: 'relative' mount path must be absolute/],
    ['/h:/', /destination can't be '\/'/],
    ['/h:/c:bogus', /invalid mode: bogus/],
    ['/h:/c:ro,rw', /invalid mode: ro,rw/],
    ['data:/c:rshared', /invalid mode: rshared/],
    ['/h:/c:nocopy', /invalid mode: nocopy/],
    ['/c:ro', /invalid volume specification: '\/c:ro'/],
    ['a:b:c:d', /invalid volume specification/],
    ['bad$name:/c', /"bad\$name" includes invalid characters for a local volume name, only "\[a-zA-Z0-9\]\[a-zA-Z0-9_.-\]" are allowed. If you intended to pass a host directory, use absolute path/],
  ];
  for (const [raw, message] of refused) assert.throws(() => parseBind(raw), message, raw);
});

test('--mount: bind, volume and tmpfs fields, checked as Docker checks them', () => {
  const bind = parseMount({ Type: 'bind', Source: '/src', Target: '/dst', ReadOnly: true, BindOptions: { Propagation: 'rslave' } });
  assert.deepEqual(pick(bind), { type: 'bind', source: '/src', target: '/dst', readOnly: true, propagation: 'rslave', createSource: false, mode: '' });
  const volume = parseMount({ Type: 'volume', Target: '/v', VolumeOptions: { NoCopy: true, Labels: { a: 'b' } } });
  assert.equal(volume.source, '', 'anonymous');
  assert.equal(volume.noCopy, true);
  assert.deepEqual(volume.volumeLabels, { a: 'b' });
  assert.deepEqual(parseMount({ Type: 'tmpfs', Target: '/t', TmpfsOptions: { SizeBytes: 1048576, Mode: 0o1777 } }).tmpfsOptions, ['size=1048576', 'mode=1777']);
  const refused: [Record<string, unknown>, RegExp][] = [
    [{ Type: 'bind', Target: '/x' }, /invalid mount config for type "bind": field Source must not be empty/],
    [{ Type: 'bind', Source: '/s' }, /invalid mount config for type "bind": field Target must not be empty/],
    [{ Type: 'bind', Source: 'rel', Target: '/x' }, /invalid mount path: 'rel' mount path must be absolute/],
    [{ Type: 'bind', Source: '/s', Target: '/x', VolumeOptions: { NoCopy: true } }, /field VolumeOptions must not be specified/],
    [{ Type: 'volume', Target: '/x', BindOptions: { Propagation: 'shared' } }, /field BindOptions must not be specified/],
    [{ Type: 'tmpfs', Source: 'x', Target: '/x' }, /invalid mount config for type "tmpfs": field Source must not be specified/],
    [{ Type: 'npipe', Target: '/x' }, /does not support mounts of type "npipe"/],
    [{ Type: 'volume', Target: '/x', VolumeOptions: { DriverConfig: { Name: 'nfs' } } }, /only the local volume driver/],
  ];
  for (const [mount, message] of refused) assert.throws(() => parseMount(mount), message, JSON.stringify(mount));
  assert.deepEqual(parseTmpfs('/run/', 'size=64m,exec').tmpfsOptions, ['size=64m', 'exec']);
  assert.equal(parseTmpfs('/run', '').target, '/run');
});

test('the run options of a create body; what is still unsupported is refused by name', () => {
  const options = parseRunOptions(
    { Volumes: { '/anon': {} } },
    { Binds: ['/h:/b'], Tmpfs: { '/t': '' }, Mounts: [{ Type: 'tmpfs', Target: '/m' }], CapAdd: ['net_admin'], CapDrop: ['CAP_CHOWN'], ReadonlyRootfs: true, Init: true, Privileged: false },
  );
  assert.deepEqual(options.mounts.map((m) => [m.origin, m.type, m.target]), [['volumes', 'volume', '/anon'], ['binds', 'bind', '/b'], ['mounts', 'tmpfs', '/m'], ['tmpfs', 'tmpfs', '/t']]);
  assert.deepEqual([options.capAdd, options.capDrop, options.readonlyRootfs, options.init], [['CAP_NET_ADMIN'], ['CAP_CHOWN'], true, true]);
  assert.deepEqual(parseRunOptions({}, { Binds: null, CapAdd: null, Init: null, PortBindings: {}, Links: null, Devices: [] }).init, null, "the CLI's empty defaults are fine");
  assert.throws(() => parseRunOptions({}, { PortBindings: { '80/tcp': [{ HostPort: '80' }] } }), /berth does not support published ports \(-p\) yet/);
  assert.throws(() => parseRunOptions({}, { VolumesFrom: ['x'] }), /--volumes-from/);
  assert.throws(() => parseRunOptions({}, { CapAdd: ['FLY'] }), /unknown capability: "CAP_FLY"/);
});

test('planMounts: explicit mounts replace the image\'s volumes; duplicates are refused', () => {
  let n = 0;
  const name = (): string => `anon${++n}`;
  const request = (origin: MountRequest['origin'], type: MountRequest['type'], target: string, source = ''): MountRequest => ({
    type, source, target, readOnly: false, propagation: '', createSource: false, noCopy: false, volumeLabels: {}, tmpfsOptions: [], mode: '', origin,
  });
  const planned = planMounts([request('binds', 'bind', '/data', '/h'), request('volumes', 'volume', '/extra'), request('tmpfs', 'tmpfs', '/cache')], ['/data', '/cache', '/logs/'], name);
  assert.deepEqual(
    planned.map((p) => [p.target, p.type, p.source, p.anonymous]),
    [['/data', 'bind', '/h', false], ['/cache', 'tmpfs', '', false], ['/logs', 'volume', 'anon1', true], ['/extra', 'volume', 'anon2', true]],
  );
  assert.throws(() => planMounts([request('binds', 'bind', '/x', '/a'), request('mounts', 'bind', '/x', '/b')], [], name), /Duplicate mount point: \/x/);
  assert.throws(() => planMounts([request('tmpfs', 'tmpfs', '/x'), request('binds', 'volume', '/x', 'v')], [], name), /Duplicate mount point: \/x/);
});

test('ociMounts: recursive private binds, tmpfs with Docker\'s defaults, parents first', () => {
  const points = planMounts(
    [
      { ...parseBind('/h:/a/b:ro') },
      { ...parseBind('vol:/a') },
      { ...parseTmpfs('/t', 'size=1m,exec') },
      { ...parseBind('/s:/shared:rshared') },
    ],
    [],
    () => 'never',
  );
  assert.deepEqual(ociMounts(points, (n) => `/root/volumes/${n}/_data`), [
    { destination: '/a', type: 'bind', source: '/root/volumes/vol/_data', options: ['rbind', 'rw', 'rprivate'] },
    { destination: '/t', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'size=1m', 'exec'] },
    { destination: '/shared', type: 'bind', source: '/s', options: ['rbind', 'rw', 'rshared'] },
    { destination: '/a/b', type: 'bind', source: '/h', options: ['rbind', 'ro', 'rprivate'] },
  ]);
  assert.deepEqual(mergeTmpfsOptions(['size=1m', 'size=2m', 'ro', 'dev']), ['noexec', 'nosuid', 'size=2m', 'ro', 'dev']);
  assert.deepEqual(initMount('/usr/bin/tini-static'), { destination: '/sbin/docker-init', type: 'bind', source: '/usr/bin/tini-static', options: ['bind', 'ro'] });
  assert.deepEqual(withInit(['sh', '-c', 'x']), ['/sbin/docker-init', '--', 'sh', '-c', 'x']);
});

test('capabilities: names normalised, add/drop/ALL as moby, bounded by what berth holds', () => {
  assert.deepEqual(normalizeCapabilities(['net_admin', 'CAP_SYS_ADMIN', 'all', 'NET_ADMIN']), ['CAP_NET_ADMIN', 'CAP_SYS_ADMIN', 'ALL']);
  assert.throws(() => normalizeCapabilities(['CAP_FLY']), /unknown capability: "CAP_FLY"/);
  const none = { add: [], drop: [], privileged: false };
  assert.deepEqual(effectiveCapabilities(none), DEFAULT_CAPABILITIES);
  assert.deepEqual(effectiveCapabilities({ ...none, add: ['NET_ADMIN'], drop: ['CHOWN'] }), [...DEFAULT_CAPABILITIES.filter((c) => c !== 'CAP_CHOWN'), 'CAP_NET_ADMIN']);
  assert.deepEqual(effectiveCapabilities({ ...none, drop: ['ALL'], add: ['KILL'] }), ['CAP_KILL']);
  const held = capabilitiesInMask('1fffeffffff');
  assert.equal(held.length, 40);
  assert.ok(!held.includes('CAP_SYS_RESOURCE'));
  assert.deepEqual(effectiveCapabilities({ ...none, add: ['ALL'], drop: ['MKNOD'] }, held), held.filter((c) => c !== 'CAP_MKNOD'));
  assert.deepEqual(effectiveCapabilities({ ...none, privileged: true }, held), held);
  assert.throws(() => effectiveCapabilities({ ...none, add: ['SYS_RESOURCE'] }, held), /cannot add CAP_SYS_RESOURCE: berth itself does not hold this capability/);
});

test('ociSpec: caller mounts replace defaults; read-only root; privileged drops the masks', () => {
  const input: SpecInput = { rootfs: '/r', args: ['sh'], env: [], cwd: '/', uid: 0, gid: 0, additionalGids: [], hostname: 'h', network: 'none', terminal: false, nofile: 1024 };
  const spec = ociSpec({ ...input, readonlyRootfs: true, capabilities: ['CAP_KILL'], mounts: [{ destination: '/dev/shm', type: 'bind', source: '/host/shm', options: ['rbind'] }] }) as {
    root: { readonly: boolean };
    mounts: { destination: string; source: string; options: string[] }[];
    process: { capabilities: Record<string, string[]> };
    linux: { maskedPaths: string[]; readonlyPaths: string[]; resources: { devices: unknown[] } };
  };
  assert.equal(spec.root.readonly, true);
  assert.deepEqual(spec.mounts.filter((m) => m.destination === '/dev/shm').map((m) => m.source), ['/host/shm']);
  assert.deepEqual(spec.process.capabilities.bounding, ['CAP_KILL']);
  assert.ok(spec.linux.maskedPaths.length > 0);
  const privileged = ociSpec({ ...input, privileged: true, devices: [{ path: '/dev/kmsg', type: 'c', major: 1, minor: 11, fileMode: 0o644, uid: 0, gid: 0 }] }) as typeof spec & {
    linux: { devices: unknown[] };
  };
  assert.deepEqual([privileged.linux.maskedPaths, privileged.linux.readonlyPaths], [[], []]);
  assert.deepEqual(privileged.linux.resources.devices, [{ allow: true, access: 'rwm' }]);
  assert.equal(privileged.linux.devices.length, 1);
  assert.ok(!privileged.mounts.find((m) => m.destination === '/sys')!.options.includes('ro'), '/sys writable');
  assert.equal((ociSpec(input) as typeof spec).root.readonly, false);
});

test('volume names, prune filters, device numbers and the init lookup', async () => {
  for (const good of ['ab', 'a.b-c_d', '0x']) assert.equal(volumeNameProblem(good), undefined, good);
  for (const bad of ['a', '.hidden', '-x', 'a/b', 'a b', '']) assert.notEqual(volumeNameProblem(bad), undefined, bad);
  const now = Date.parse('2026-12-01T12:00:00Z');
  assert.equal(parseUntil('1h30m', now), now - 90 * 60_000);
  assert.equal(parseUntil('1700000000.5', now), 1_700_000_000_500);
  assert.equal(parseUntil('2026-11-30T12:00:00Z', now), Date.parse('2026-11-30T12:00:00Z'));
  assert.throws(() => parseUntil('yesterday', now), /invalid filter 'until=yesterday'/);
  assert.equal(labelFilterMatches({ a: '1', b: '2' }, ['a', 'b=2'], ['c']), true);
  assert.equal(labelFilterMatches({ a: '1' }, ['a=2'], []), false);
  assert.equal(labelFilterMatches({ a: '1' }, [], ['a']), false);
  assert.deepEqual(deviceNumbers(0x0503), { major: 5, minor: 3 });
  assert.deepEqual(deviceNumbers(0x10300 | (0x1 << 20)), { major: 259, minor: 256 });
  const empty = await mkdtemp(join(tmpdir(), 'berth-noinit-'));
  try {
    await assert.rejects(findInitBinary([empty]), /--init needs a static tini .* install Debian's tini package \(apt-get install -y tini\)/);
  } finally {
    await rm(empty, { recursive: true, force: true });
  }
});

function pick(request: MountRequest): Pick<MountRequest, 'type' | 'source' | 'target' | 'readOnly' | 'propagation' | 'createSource' | 'mode'> {
  const { type, source, target, readOnly, propagation, createSource, mode } = request;
  return { type, source, target, readOnly, propagation, createSource, mode };
}
