// Pure pieces of running a container: Docker's Entrypoint/Cmd combination, the environment,
// user parsing and resolution, the OCI spec, the create body, log records and stream frames,
// and the host check's hybrid-cgroup detection (on a fake cgroup tree).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseCreateBody } from '../../../runtime/api/containerCreateBody';
import { normalizeSignal } from '../../../runtime/api/containerHandlers';
import { humanDuration } from '../../../runtime/api/dockerContainerJson';
import { parseLogLine, streamFrame } from '../../../runtime/container/containerLog';
import { DEFAULT_CAPABILITIES, ociSpec, type SpecInput } from '../../../runtime/container/ociSpec';
import { combineCommand, DEFAULT_PATH, mergeEnv, parseUser, resolveUser } from '../../../runtime/container/processArgs';
import { NO_RUN_OPTIONS } from '../../../runtime/container/runOptions';
import { checkHost, hybridCgroupControllers, HYBRID_CGROUP_FIX } from '../../../runtime/host/hostCheck';
import { chainIds } from '../../../runtime/snapshot/chainId';
import type { Digest } from '../../../runtime/store/digest';

test('Entrypoint and Cmd combine as dockerd combines them', () => {
  const image = { entrypoint: ['/entry', '-x'], cmd: ['default'] };
  const table: [string, { entrypoint?: string[]; cmd?: string[] }, { entrypoint?: string[]; cmd?: string[] }, string[]][] = [
    ['nothing given: the image decides', {}, image, ['/entry', '-x', 'default']],
    ['cmd given: replaces the image cmd', { cmd: ['other'] }, image, ['/entry', '-x', 'other']],
    ['entrypoint given: the image cmd no longer applies', { entrypoint: ['/mine'] }, image, ['/mine']],
    ['both given', { entrypoint: ['/mine'], cmd: ['a'] }, image, ['/mine', 'a']],
    ['--entrypoint "" clears it', { entrypoint: [''], cmd: ['sh'] }, image, ['sh']],
    ['--entrypoint "" alone leaves nothing', { entrypoint: [''] }, image, []],
    ['empty entrypoint list keeps the image cmd', { entrypoint: [] }, image, ['default']],
    ['image without entrypoint', { cmd: ['echo', 'hi'] }, { cmd: ['sh'] }, ['echo', 'hi']],
    ['image without anything', {}, {}, []],
  ];
  for (const [what, user, img, expected] of table) {
    const { entrypoint, cmd } = combineCommand(user, img);
    assert.deepEqual([...entrypoint, ...cmd], expected, what);
  }
});

test('the environment: PATH and HOSTNAME first, image then user, later keys replace', () => {
  assert.deepEqual(mergeEnv([], [], 'abc'), [`PATH=${DEFAULT_PATH}`, 'HOSTNAME=abc']);
  assert.deepEqual(mergeEnv(['PATH=/x', 'A=1', 'B=2'], ['B=3', 'C=4', 'BARE'], 'h', '/home/u'), ['PATH=/x', 'HOSTNAME=h', 'A=1', 'B=3', 'C=4', 'HOME=/home/u']);
  assert.deepEqual(mergeEnv(['HOME=/img'], [], 'h', '/root'), [`PATH=${DEFAULT_PATH}`, 'HOSTNAME=h', 'HOME=/img']);
});

test('users: parsing and resolving against the image /etc files', () => {
  assert.deepEqual(parseUser(''), { user: '0' });
  assert.deepEqual(parseUser('1000'), { user: '1000' });
  assert.deepEqual(parseUser('app:staff'), { user: 'app', group: 'staff' });
  assert.deepEqual(parseUser('1:2'), { user: '1', group: '2' });
  assert.throws(() => parseUser(':2'), /user part/);
  const passwd = 'root:x:0:0:root:/root:/bin/sh\napp:x:1001:1002::/home/app:/bin/sh\n';
  const group = 'root:x:0:\nstaff:x:50:app\napp:x:1002:\n';
  assert.deepEqual(resolveUser(parseUser(''), passwd, group), { uid: 0, gid: 0, additionalGids: [], home: '/root' });
  assert.deepEqual(resolveUser(parseUser('app'), passwd, group), { uid: 1001, gid: 1002, additionalGids: [50], home: '/home/app' });
  assert.deepEqual(resolveUser(parseUser('app:staff'), passwd, group), { uid: 1001, gid: 50, additionalGids: [], home: '/home/app' });
  assert.deepEqual(resolveUser(parseUser('1000:1000'), undefined, undefined), { uid: 1000, gid: 1000, additionalGids: [], home: '/' });
  assert.deepEqual(resolveUser(parseUser('0'), undefined, undefined), { uid: 0, gid: 0, additionalGids: [], home: '/' });
  assert.throws(() => resolveUser(parseUser('nobody'), passwd, group), /unable to find user nobody/);
  assert.throws(() => resolveUser(parseUser('app:nogroup'), passwd, group), /unable to find group nogroup/);
});

test('the OCI spec: namespaces by network mode, capabilities, masked paths', () => {
  const input: SpecInput = { rootfs: '/r', args: ['sh'], env: ['A=1'], cwd: '/', uid: 0, gid: 0, additionalGids: [], hostname: 'h', network: 'none', terminal: false, nofile: 1024 };
  const spec = ociSpec(input) as { process: { capabilities: { bounding: string[]; inheritable: string[] }; rlimits: unknown[] }; linux: { namespaces: { type: string }[]; maskedPaths: string[] }; mounts: { destination: string; options?: string[] }[] };
  assert.deepEqual(spec.linux.namespaces.map((n) => n.type).sort(), ['ipc', 'mount', 'network', 'pid', 'uts']);
  assert.deepEqual(spec.process.capabilities.bounding, DEFAULT_CAPABILITIES);
  assert.equal(DEFAULT_CAPABILITIES.length, 14);
  assert.deepEqual(spec.process.rlimits, [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }]);
  assert.ok(spec.linux.maskedPaths.includes('/proc/kcore'));
  assert.deepEqual(spec.mounts.map((m) => m.destination), ['/proc', '/dev', '/dev/pts', '/sys', '/sys/fs/cgroup', '/dev/mqueue', '/dev/shm']);
  assert.ok(spec.mounts.find((m) => m.destination === '/sys')!.options!.includes('ro'));
  const host = ociSpec({ ...input, network: 'host', uid: 1000 }) as typeof spec;
  assert.ok(!host.linux.namespaces.some((n) => n.type === 'network'), 'host networking keeps the host namespace');
  assert.deepEqual(host.process.capabilities.inheritable, []);
});

test('the create body: normalised, and what berth cannot do is refused by name', () => {
  const request = parseCreateBody({ Image: 'busybox', Cmd: ['echo', 'hi'], Env: ['A=1'], Labels: { a: 'b' }, HostConfig: { NetworkMode: 'none', AutoRemove: true } }, 'web');
  assert.deepEqual(request, {
    image: 'busybox', name: 'web', cmd: ['echo', 'hi'], entrypoint: undefined, env: ['A=1'], workingDir: undefined, user: undefined,
    labels: { a: 'b' }, hostname: undefined, networkMode: 'none', autoRemove: true, stopSignal: undefined, stopTimeout: undefined, run: NO_RUN_OPTIONS,
  });
  assert.equal(parseCreateBody({ Image: 'x', HostConfig: { NetworkMode: 'host' } }, undefined).networkMode, 'host');
  assert.deepEqual(parseCreateBody({ Image: 'x', Tty: true, OpenStdin: true, StdinOnce: true, AttachStdin: true, HostConfig: { NetworkMode: 'none', ConsoleSize: [24, 80] } }, undefined).stdio, {
    tty: true,
    openStdin: true,
    stdinOnce: true,
    attachStdin: true,
    attachStdout: false,
    attachStderr: false,
    consoleSize: [24, 80],
  });
  assert.equal(parseCreateBody({ Image: 'x', Tty: false, HostConfig: { NetworkMode: 'none', ConsoleSize: [0, 0] } }, undefined).stdio, undefined, 'nothing asked: no stdio options');
  assert.throws(() => parseCreateBody({ Image: 'x', Tty: 'yes', HostConfig: { NetworkMode: 'none' } }, undefined), /"Tty" must be true or false/);
  assert.throws(() => parseCreateBody({ Image: 'x', HostConfig: { NetworkMode: 'default' } }, undefined), /--network none or --network host/);
  assert.throws(() => parseCreateBody({ Image: 'x', HostConfig: { NetworkMode: 'none', PortBindings: { '80/tcp': [{ HostPort: '80' }] } } }, undefined), /published ports \(-p\)/);
  assert.throws(() => parseCreateBody({ Cmd: ['x'] }, undefined), /"Image" is required/);
  assert.throws(() => parseCreateBody({ Image: 'x', Cmd: [1], HostConfig: { NetworkMode: 'none' } }, undefined), /list of strings/);
});

test('log records, stream frames, signals and durations', () => {
  const full = parseLogLine(Buffer.from('2026-11-28T02:50:45.566910460+00:00 stdout F hello'))!;
  assert.equal(full.stream, 'stdout');
  assert.equal(full.time, '2026-11-28T02:50:45.566910460Z');
  assert.equal(full.data.toString(), 'hello\n');
  const partial = parseLogLine(Buffer.from('2026-11-28T04:50:45.5+02:00 stderr P no newline'))!;
  assert.equal(partial.time, '2026-11-28T02:50:45.500000000Z');
  assert.equal(partial.data.toString(), 'no newline');
  assert.equal(parseLogLine(Buffer.from('garbage')), undefined);
  assert.deepEqual([...streamFrame('stderr', Buffer.from('ab'))], [2, 0, 0, 0, 0, 0, 0, 2, 97, 98]);
  assert.equal(normalizeSignal('kill'), 'SIGKILL');
  assert.equal(normalizeSignal('SIGTERM'), 'SIGTERM');
  assert.equal(normalizeSignal('9'), '9');
  assert.equal(humanDuration(500), 'Less than a second');
  assert.equal(humanDuration(3000), '3 seconds');
  assert.equal(humanDuration(65_000), 'About a minute');
});

test('chain IDs follow the OCI definition', () => {
  const a = `sha256:${'a'.repeat(64)}` as Digest;
  const b = `sha256:${'b'.repeat(64)}` as Digest;
  const [first, second] = chainIds([a, b]);
  assert.equal(first, a);
  // sha256("sha256:aaa… sha256:bbb…")
  assert.equal(second, `sha256:${createHash('sha256').update(`${a} ${b}`).digest('hex')}`);
});

test('the host check names the hybrid cgroup trap and its fix, and missing tools with their package', async (t) => {
  const fake = await mkdtemp(join(tmpdir(), 'berth-cgroup-'));
  t.after(() => rm(fake, { recursive: true, force: true }));
  await mkdir(join(fake, 'unified'), { recursive: true });
  await mkdir(join(fake, 'memory'));
  await writeFile(join(fake, 'unified', 'cgroup.controllers'), 'hugetlb\n');
  assert.deepEqual(await hybridCgroupControllers(fake), ['hugetlb']);
  const result = await checkHost({ path: fake, cgroupRoot: fake });
  assert.equal(result.ok, false);
  const problems = result.ok ? [] : result.problems;
  assert.match(problems[0], /crun and conmon not found on PATH.*apt-get install -y crun conmon/);
  assert.match(problems[1], /hybrid mode/);
  assert.ok(problems[1].includes(HYBRID_CGROUP_FIX), 'the message carries the exact fix');
  await writeFile(join(fake, 'unified', 'cgroup.controllers'), '');
  assert.deepEqual(await hybridCgroupControllers(fake), []);
});
