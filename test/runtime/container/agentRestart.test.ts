// conmon owns each container's stdio and exit code, so containers outlive the agent: kill -9
// `berth serve`, start it again on the same root, and every container is still there — the
// running ones still running and still logging, the ones that ended meanwhile with their true
// exit code — and the usual verbs work on them.
import assert from 'node:assert/strict';
import { watch } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startBerth, type BerthAgent } from '../api/berthServe';
import { makeBusyboxArchive, type BusyboxArchive } from '../api/busyboxArchive';
import { mountsUnder, prepareContainerHost } from './containerHost';

let busybox: BusyboxArchive;
let imageDir: string;

before(async () => {
  await prepareContainerHost();
  imageDir = await mkdtemp(join(tmpdir(), 'berth-restart-image-'));
  busybox = await makeBusyboxArchive(imageDir);
});

after(() => rm(imageDir, { recursive: true, force: true }));

/** Resolves once `file` exists with content (conmon creates, then writes, its exit file). */
async function fileWithContent(file: string, dir: string): Promise<string> {
  const read = () => readFile(file, 'utf8').then((text) => text.trim(), () => '');
  const watcher = watch(dir);
  try {
    for (;;) {
      const text = await read();
      if (text !== '') return text;
      await new Promise((resolve) => watcher.once('change', resolve));
    }
  } finally {
    watcher.close();
  }
}

async function ticks(agent: BerthAgent, name: string): Promise<number> {
  return (await agent.docker(['logs', name])).split('\n').filter((line) => line.startsWith('tick')).length;
}

test('a restarted agent re-adopts running containers and reports the ones that ended meanwhile', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-restart-'));
  let agent: BerthAgent | undefined;
  t.after(async () => {
    if (agent !== undefined && agent.child.exitCode === null) {
      const ids = (await agent.docker(['ps', '-aq'])).split('\n').filter((id) => id !== '');
      if (ids.length > 0) await agent.docker(['rm', '-f', ...ids]);
      await agent.stop();
    }
    if ((await mountsUnder(dir)).length === 0) await rm(dir, { recursive: true, force: true });
  });
  agent = await startBerth(t, { dir });
  await agent.docker(['load', '-i', busybox.archive]);
  // Keeps logging while the agent is away; ends on TERM with 5.
  await agent.docker(['run', '-d', '--name', 'ticker', '--network', 'none', 'busybox', 'sh', '-c', 'trap "exit 5" TERM; i=0; while :; do echo tick $i; i=$((i+1)); sleep 0.05; done']);
  // Ends with 3 on TERM, which the test sends from the host while the agent is down.
  const lateId = (await agent.docker(['run', '-d', '--name', 'late', '--network', 'none', 'busybox', 'sh', '-c', 'trap "exit 3" TERM; while :; do sleep 0.05; done'])).trim();
  await agent.docker(['create', '--name', 'idle', '--network', 'none', 'busybox', 'echo', 'started later']);
  const latePid = Number((await agent.docker(['inspect', '--format', '{{.State.Pid}}', 'late'])).trim());
  assert.ok(latePid > 0, 'inspect reports the pid of a running container');
  const ticksBefore = await ticks(agent, 'ticker');

  const killed = await agent.stop('SIGKILL');
  assert.equal(killed.signal, 'SIGKILL');
  agent = undefined;

  // While no agent runs: one container ends, the other keeps writing to its log.
  const exitDir = join(dir, 'root', 'run', 'exits');
  process.kill(latePid, 'SIGTERM');
  assert.equal(await fileWithContent(join(exitDir, lateId), exitDir), '3');

  agent = await startBerth(t, { dir });
  const states = (await agent.docker(['ps', '-a', '--format', '{{.Names}} {{.State}}'])).trim().split('\n').sort();
  assert.deepEqual(states, ['idle created', 'late exited', 'ticker running']);
  assert.equal((await agent.docker(['inspect', '--format', '{{.State.ExitCode}}', 'late'])).trim(), '3');
  assert.ok((await ticks(agent, 'ticker')) > ticksBefore, 'output written while the agent was down is in the log');

  // The usual verbs work on adopted containers.
  const waiting = agent.run(['wait', 'ticker']);
  assert.equal(await agent.docker(['stop', 'ticker']), 'ticker\n');
  assert.deepEqual(await waiting, { code: 0, stdout: '5\n', stderr: '' });
  assert.deepEqual(await agent.run(['start', '-a', 'idle']), { code: 0, stdout: 'started later\n', stderr: '' });
  assert.equal(await agent.docker(['rm', 'ticker', 'late', 'idle']), 'ticker\nlate\nidle\n');
  assert.deepEqual(await mountsUnder(dir), []);
});
