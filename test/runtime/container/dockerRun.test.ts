// Containers through the stock docker CLI against `berth serve`: run (attached, --rm, exit
// codes), run -d, ps, logs, stop escalating to SIGKILL, kill, rm (409 unless forced), wait,
// inspect, events, rmi of an image in use. Each test removes its containers, checks that no
// overlay is left mounted under its temp root, and stops the agent.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import { DOCKER_20, type BerthAgent } from '../api/berthServe';
import { makeBusyboxArchive, type BusyboxArchive } from '../api/busyboxArchive';
import { agentWithBusybox as sharedAgentWithBusybox } from './busyboxAgent';
import { mountsUnder, prepareContainerHost } from './containerHost';

let busybox: BusyboxArchive;

let imageDir: string;

before(async () => {
  await prepareContainerHost();
  imageDir = await mkdtemp(join(tmpdir(), 'berth-ctr-image-'));
  busybox = await makeBusyboxArchive(imageDir);
});

after(() => rm(imageDir, { recursive: true, force: true }));

function agentWithBusybox(t: TestContext): Promise<BerthAgent> {
  return sharedAgentWithBusybox(t, busybox);
}

async function timed<T>(t: TestContext, label: string, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const result = await work();
  t.diagnostic(`${label}: ${Date.now() - started} ms`);
  return result;
}

test('docker run --rm prints the output and leaves nothing behind', async (t) => {
  const agent = await agentWithBusybox(t);
  const result = await timed(t, 'docker run --rm echo', () => agent.run(['run', '--rm', '--network', 'none', 'busybox', 'echo', 'hello']));
  assert.deepEqual(result, { code: 0, stdout: 'hello\n', stderr: '' });
  assert.equal(await agent.docker(['ps', '-aq']), '', '--rm removed the container');
  assert.deepEqual(await mountsUnder(agent.root), []);

  // All output arrives before the stream ends, however much there is.
  const many = await timed(t, 'docker run --rm seq 1 20000', () => agent.docker(['run', '--rm', '--network', 'none', 'busybox', 'seq', '1', '20000']));
  const lines = many.split('\n');
  assert.equal(lines.length, 20001);
  assert.equal(lines[19999], '20000');

  if (existsSync(DOCKER_20)) {
    assert.deepEqual(await agent.run(['run', '--rm', '--network', 'none', 'busybox', 'sh', '-c', 'echo old cli; exit 4'], { cli: DOCKER_20 }), { code: 4, stdout: 'old cli\n', stderr: '' });
  }
});

test('docker run passes the exit code and separates stdout from stderr', async (t) => {
  const agent = await agentWithBusybox(t);
  const result = await agent.run(['run', '--network', 'none', '--name', 'three', 'busybox', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
  assert.equal(result.code, 3);
  assert.equal(result.stdout, 'out\n');
  assert.equal(result.stderr, 'err\n');
  const state = JSON.parse(await agent.docker(['inspect', '--format', '{{json .State}}', 'three'])) as { Status: string; ExitCode: number; Running: boolean };
  assert.equal(state.Status, 'exited');
  assert.equal(state.ExitCode, 3);
  assert.equal(state.Running, false);
  assert.match(await agent.docker(['ps', '-a', '--format', '{{.Names}} {{.Status}}']), /^three Exited \(3\) /);
  assert.equal(await agent.docker(['logs', 'three']), 'out\n');
  assert.equal((await agent.run(['logs', 'three'])).stderr, 'err\n');
});

test('the process gets Docker\'s environment, user, working dir and hostname', async (t) => {
  const agent = await agentWithBusybox(t);
  const out = await agent.docker([
    'run', '--rm', '--network', 'none', '-e', 'FOO=bar', '-w', '/tmp', '-u', '1000:1000', '--hostname', 'box',
    'busybox', 'sh', '-c', 'echo "$FOO $PATH $HOME"; pwd; id -u; id -g; hostname; cat /proc/self/status | grep CapEff; ls /sys/class/net',
  ]);
  const lines = out.split('\n');
  assert.equal(lines[0], 'bar /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin /');
  assert.deepEqual(lines.slice(1, 5), ['/tmp', '1000', '1000', 'box']);
  assert.match(lines[5], /^CapEff:\s+0+$/, 'a non-root user has no effective capabilities');
  assert.equal(lines[6], 'lo', '--network none: loopback only');
  const root = await agent.docker(['run', '--rm', '--network', 'none', 'busybox', 'sh', '-c', 'id -u; grep CapEff /proc/self/status']);
  assert.match(root, /^0\nCapEff:\s+00000000a80425fb\n$/, "root gets Docker's default capability set");
});

test('networks other than none and host are refused with a clear message', async (t) => {
  const agent = await agentWithBusybox(t);
  const bridge = await agent.run(['run', '--rm', 'busybox', 'true']);
  assert.notEqual(bridge.code, 0);
  assert.match(bridge.stderr, /--network none or --network host/);
});

test('docker run -d, ps, logs, stop escalating to SIGKILL, rm', async (t) => {
  const agent = await agentWithBusybox(t);
  const id = (await timed(t, 'docker run -d', () => agent.docker(['run', '-d', '--name', 'web', '--network', 'none', 'busybox', 'sh', '-c', 'echo ready; exec sleep 1000']))).trim();
  assert.match(id, /^[0-9a-f]{64}$/);
  assert.match(await agent.docker(['ps', '--format', '{{.ID}} {{.Names}} {{.Status}} {{.Command}}']), new RegExp(`^${id.slice(0, 12)} web Up .* "sh -c`));

  // The log may trail the start; follow it until the first line arrives (a signal, not a sleep).
  const follow = spawn('docker', ['logs', '-f', 'web'], { env: agent.env });
  const first = await new Promise<string>((resolve) => createInterface({ input: follow.stdout }).once('line', resolve));
  follow.kill();
  assert.equal(first, 'ready');
  assert.equal(await agent.docker(['logs', 'web']), 'ready\n');
  assert.match(await agent.docker(['logs', '-t', 'web']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z ready\n$/);

  const removeRunning = await agent.run(['rm', 'web']);
  assert.notEqual(removeRunning.code, 0);
  assert.match(removeRunning.stderr, /You cannot remove a running container/);

  // busybox sleep as pid 1 ignores SIGTERM: stop must escalate after -t.
  const started = Date.now();
  assert.equal(await agent.docker(['stop', '-t', '1', 'web']), 'web\n');
  const elapsed = Date.now() - started;
  t.diagnostic(`docker stop -t 1: ${elapsed} ms`);
  assert.ok(elapsed >= 900 && elapsed < 8000, `stop took ${elapsed} ms`);
  assert.equal((await agent.docker(['inspect', '--format', '{{.State.ExitCode}}', 'web'])).trim(), '137');
  assert.equal(await agent.docker(['ps', '-q']), '');
  assert.equal(await agent.docker(['rm', 'web']), 'web\n');
  assert.equal(await agent.docker(['ps', '-aq']), '');
  assert.deepEqual(await mountsUnder(agent.root), []);
});

test('docker kill, wait, rm -f, and an image in use', async (t) => {
  const agent = await agentWithBusybox(t);
  await agent.docker(['run', '-d', '--name', 'killme', '--network', 'host', 'busybox', 'sleep', '1000']);
  const waiting = agent.run(['wait', 'killme']);
  assert.equal(await agent.docker(['kill', '--signal', 'KILL', 'killme']), 'killme\n');
  assert.deepEqual(await waiting, { code: 0, stdout: '137\n', stderr: '' });

  const inUse = await agent.run(['rmi', 'busybox']);
  assert.notEqual(inUse.code, 0);
  assert.match(inUse.stderr, /container [0-9a-f]{12} is using its referenced image/);

  await agent.docker(['run', '-d', '--name', 'ff', '--network', 'none', 'busybox', 'sleep', '1000']);
  assert.deepEqual((await agent.docker(['rm', '-f', 'ff', 'killme'])).split('\n').sort(), ['', 'ff', 'killme']);
  assert.equal(await agent.docker(['ps', '-aq']), '');
  const missing = await agent.run(['logs', 'ff']);
  assert.match(missing.stderr, /No such container: ff/);
});

test('container events: create, start, die, destroy', async (t) => {
  const agent = await agentWithBusybox(t);
  const since = Math.floor(Date.now() / 1000) - 1;
  await agent.docker(['run', '--rm', '--network', 'none', '--name', 'ev', 'busybox', 'true']);
  const until = Math.floor(Date.now() / 1000) + 1;
  const events = await agent.docker(['events', '--since', String(since), '--until', String(until), '--filter', 'type=container', '--format', '{{.Action}} {{.Actor.Attributes.name}}']);
  const actions = events.trim().split('\n').map((line) => line.split(' ')[0]);
  assert.deepEqual(actions, ['create', 'start', 'die', 'destroy']);
  assert.ok(events.split('\n').every((line) => line === '' || line.endsWith(' ev')));
});
