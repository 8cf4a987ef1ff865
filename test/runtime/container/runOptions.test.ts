// The run options beyond mounts through the stock docker CLI against `berth serve`, proved
// from inside the container: --cap-add/--cap-drop (CapEff in /proc/self/status), --privileged,
// --init (PID 1 is tini), -w (created when missing), -u, --env-file; `docker restart` and
// `docker container prune`; inspect's HostConfig; and Docker's error shape for what berth
// still refuses.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import { DOCKER, type BerthAgent } from '../api/berthServe';
import { prepareContainerHost } from './containerHost';
import { agentWithImages, makeTestImages, runIn, type TestImages } from './mountAgent';

let images: TestImages;
let imageDir: string;

before(async () => {
  await prepareContainerHost();
  imageDir = await mkdtemp(join(tmpdir(), 'berth-opt-image-'));
  images = await makeTestImages(imageDir);
});

after(() => rm(imageDir, { recursive: true, force: true }));

/** CapEff of the container's process, as hex. */
async function capEff(agent: BerthAgent, args: string[]): Promise<string> {
  const out = await runIn(agent, [...args, 'busybox', 'grep', 'CapEff', '/proc/self/status']);
  const match = /^CapEff:\s+([0-9a-f]+)\n$/.exec(out);
  assert.ok(match !== null, out);
  return match[1];
}

/** Resolves once `docker logs -f NAME` has shown `count` lines equal to `line`. */
function waitForLogLines(agent: BerthAgent, name: string, line: string, count: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const logs = spawn(DOCKER, ['logs', '-f', name], { env: agent.env, stdio: ['ignore', 'pipe', 'inherit'] });
    let seen = 0;
    createInterface({ input: logs.stdout }).on('line', (text) => {
      if (text === line && ++seen === count) {
        logs.kill();
        resolve();
      }
    });
    logs.once('exit', (code) => (seen < count ? reject(new Error(`docker logs -f ${name} ended (${code}) after ${seen} of ${count} "${line}" lines`)) : undefined));
  });
}

test('--cap-add and --cap-drop change the effective capabilities as in Docker', async (t) => {
  const agent = await agentWithImages(t, images);
  const bounding = /^CapBnd:\s+([0-9a-f]+)$/m.exec(await readFile('/proc/self/status', 'utf8'))![1];
  assert.equal(await capEff(agent, []), '00000000a80425fb', "Docker's default set");
  assert.equal(await capEff(agent, ['--cap-add', 'NET_ADMIN', '--cap-drop', 'chown']), '00000000a80435fa', 'names with or without CAP_, any case');
  assert.equal(await capEff(agent, ['--cap-add', 'CAP_SYS_PTRACE']), (0xa80425fb + 2 ** 19).toString(16).padStart(16, '0'));
  assert.equal(await capEff(agent, ['--cap-drop', 'ALL']), '0000000000000000');
  assert.equal(await capEff(agent, ['--cap-drop', 'ALL', '--cap-add', 'CHOWN']), '0000000000000001');
  assert.equal(await capEff(agent, ['--cap-add', 'ALL']), bounding, 'ALL: every capability berth holds');
  const unknown = await agent.run(['run', '--rm', '--network', 'none', '--cap-add', 'NOT_A_CAP', 'busybox', 'true']);
  assert.equal(unknown.code, 125);
  assert.match(unknown.stderr, /unknown capability: "CAP_NOT_A_CAP"/);
  const caps = JSON.parse(await agent.docker(['inspect', '--format', '{{json .HostConfig}}', (await agent.docker(['create', '--network', 'none', '--cap-add', 'NET_ADMIN', '--cap-drop', 'MKNOD', 'busybox', 'true'])).trim()])) as Record<string, unknown>;
  assert.deepEqual([caps.CapAdd, caps.CapDrop, caps.Privileged], [['CAP_NET_ADMIN'], ['CAP_MKNOD'], false]);
});

test('--privileged: all capabilities, writable /sys, no read-only /proc/sys, host devices', async (t) => {
  const agent = await agentWithImages(t, images);
  const bounding = /^CapBnd:\s+([0-9a-f]+)$/m.exec(await readFile('/proc/self/status', 'utf8'))![1];
  assert.equal(await capEff(agent, ['--privileged']), bounding);
  const script = 'grep " /sys " /proc/mounts; grep -c " /proc/sys " /proc/mounts; ls /dev';
  const privileged = (await agent.run(['run', '--rm', '--network', 'none', '--privileged', 'busybox', 'sh', '-c', script])).stdout.split('\n');
  const normal = (await agent.run(['run', '--rm', '--network', 'none', 'busybox', 'sh', '-c', script])).stdout.split('\n');
  assert.match(privileged[0], /^sysfs \/sys sysfs rw,/);
  assert.match(normal[0], /^sysfs \/sys sysfs ro,/);
  assert.equal(privileged[1], '0', 'no read-only /proc/sys');
  assert.equal(normal[1], '1');
  if (existsSync('/dev/kmsg')) {
    assert.ok(privileged.includes('kmsg'), 'the host device is there');
    assert.ok(!normal.includes('kmsg'));
  }
  assert.equal(await agent.docker(['inspect', '--format', '{{.HostConfig.Privileged}}', (await agent.docker(['create', '--network', 'none', '--privileged', 'busybox', 'true'])).trim()]), 'true\n');
});

test('--init runs the command under tini as PID 1, passing the exit code', async (t) => {
  const agent = await agentWithImages(t, images);
  const out = await runIn(agent, ['--init', 'busybox', 'sh', '-c', 'tr "\\0" " " < /proc/1/cmdline; echo; echo $$']);
  assert.equal(out, '/sbin/docker-init -- sh -c tr "\\0" " " < /proc/1/cmdline; echo; echo $$ \n2\n');
  const failed = await agent.run(['run', '--rm', '--network', 'none', '--init', 'busybox', 'sh', '-c', 'exit 7']);
  assert.equal(failed.code, 7);
  // With --read-only too: the init's mount point is made before the root turns read-only.
  assert.equal(await runIn(agent, ['--init', '--read-only', 'busybox', 'echo', 'ok']), 'ok\n');
  const id = (await agent.docker(['create', '--network', 'none', '--init', 'busybox', 'true'])).trim();
  assert.equal(await agent.docker(['inspect', '--format', '{{json .HostConfig.Init}}', id]), 'true\n');
});

test('-w creates a missing directory, -u takes names and ids, --env-file reaches the process', async (t) => {
  const agent = await agentWithImages(t, images);
  assert.equal(await runIn(agent, ['-w', '/made/for/me', 'busybox', 'sh', '-c', 'pwd; stat -c "%u %a" .']), '/made/for/me\n0 755\n');
  assert.match(await runIn(agent, ['-u', 'app', 'volimg', 'id']), /^uid=1234\(app\) gid=1234\(app\)/);
  assert.equal(await runIn(agent, ['-u', '4321:55', 'volimg', 'sh', '-c', 'id -u; id -g']), '4321\n55\n');
  const envFile = join(agent.dir, 'vars.env');
  await writeFile(envFile, '# a comment\nFROM_FILE=one two\nOVERRIDE=file\n\nEMPTY=\n');
  const env = await runIn(agent, ['--env-file', envFile, '-e', 'OVERRIDE=flag', 'busybox', 'sh', '-c', 'echo "$FROM_FILE|$OVERRIDE|${EMPTY-unset}"']);
  assert.equal(env, 'one two|flag|\n');
});

test('docker restart stops and starts again; an exited container runs again', async (t) => {
  const agent = await agentWithImages(t, images);
  const since = Math.floor(Date.now() / 1000) - 1;
  await agent.docker(['run', '-d', '--name', 'again', '--network', 'none', 'busybox', 'sh', '-c', 'echo run; trap "exit 0" TERM; while true; do sleep 0.1; done']);
  await waitForLogLines(agent, 'again', 'run', 1);
  const firstStart = (await agent.docker(['inspect', '--format', '{{.State.StartedAt}}', 'again'])).trim();
  await agent.docker(['restart', 'again']);
  await waitForLogLines(agent, 'again', 'run', 2);
  const state = JSON.parse(await agent.docker(['inspect', '--format', '{{json .State}}', 'again'])) as { Running: boolean; StartedAt: string };
  assert.equal(state.Running, true);
  assert.notEqual(state.StartedAt, firstStart);

  await agent.docker(['run', '--name', 'once', '--network', 'none', 'busybox', 'echo', 'hi']);
  await agent.docker(['restart', 'once']);
  assert.equal((await agent.docker(['wait', 'once'])).trim(), '0');
  assert.equal(await agent.docker(['logs', 'once']), 'hi\nhi\n');
  const until = Math.ceil(Date.now() / 1000) + 1;
  const restarts = (await agent.docker(['events', '--since', String(since), '--until', String(until), '--filter', 'event=restart', '--format', '{{.Actor.Attributes.name}}'])).split('\n').filter((l) => l !== '');
  assert.deepEqual(restarts, ['again', 'once']);
});

test('docker container prune removes stopped containers, by label and age', async (t) => {
  const agent = await agentWithImages(t, images);
  await agent.docker(['run', '--name', 'labelled', '--label', 'tier=test', '--network', 'none', 'busybox', 'sh', '-c', 'head -c 3000 /dev/zero > /big']);
  await agent.docker(['run', '--name', 'plain', '--network', 'none', 'busybox', 'true']);
  await agent.docker(['create', '--name', 'fresh', '--network', 'none', 'busybox', 'true']);
  await agent.docker(['run', '-d', '--name', 'busy', '--network', 'none', 'busybox', 'sleep', '1000']);
  const labelledId = (await agent.docker(['inspect', '--format', '{{.Id}}', 'labelled'])).trim();

  const byLabel = await agent.docker(['container', 'prune', '-f', '--filter', 'label=tier=test']);
  assert.match(byLabel, new RegExp(`Deleted Containers:\\n${labelledId}\\n`));
  assert.match(byLabel, /Total reclaimed space: 3(\.0)?kB/);
  assert.equal(await agent.docker(['container', 'prune', '-f', '--filter', 'until=1h']), 'Total reclaimed space: 0B\n', 'nothing is an hour old');
  await agent.docker(['container', 'prune', '-f']);
  assert.deepEqual((await agent.docker(['ps', '-a', '--format', '{{.Names}}'])).trim(), 'busy', 'running containers stay');
});

test('what berth still refuses keeps Docker\'s error shape and says what is unsupported', async (t) => {
  const agent = await agentWithImages(t, images);
  const cases: [string[], RegExp][] = [
    [['-p', '8080:80'], /berth does not support published ports \(-p\) yet/],
    [['--volumes-from', 'other'], /berth does not support --volumes-from yet/],
    [['--link', 'other:alias'], /berth does not support --link yet/],
    [['--device', '/dev/null'], /berth does not support host devices \(--device\) yet/],
    [['--mount', 'type=volume,target=/x,volume-driver=fancy'], /berth has only the local volume driver, not "fancy"/],
  ];
  for (const [flags, message] of cases) {
    const result = await agent.run(['run', '--rm', '--network', 'none', ...flags, 'busybox', 'true']);
    assert.equal(result.code, 125, flags.join(' '));
    assert.match(result.stderr, new RegExp(`^docker: Error response from daemon: ${message.source}`), flags.join(' '));
  }
  assert.equal(await agent.docker(['ps', '-aq']), '');
});
