// The crash suite: `berth serve` is killed with SIGKILL at a random moment during docker load,
// run, rm and rmi, round after round on the same root, and started again each time. After
// every restart: the store checks clean (every blob hashes to its name, every name leads to a
// complete image), no image is half visible, every operation that had finished before the kill
// is still in effect, and every container that should be running is — re-adopted, with a live
// process. (SIGKILL tests atomicity; durability against power loss cannot be tested this way.)
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { ContentStore } from '../../../runtime/store/contentStore';
import { ImageIndex } from '../../../runtime/store/imageIndex';
import { checkStore } from '../../../runtime/store/storeCheck';
import { startBerth, type BerthAgent, type CliResult } from '../api/berthServe';
import { makeBusyboxArchive, type BusyboxArchive } from '../api/busyboxArchive';
import { makeBusyboxRootfs } from '../image/busyboxRootfs';
import { mountsUnder, prepareContainerHost } from './containerHost';

const ROUNDS = 50;
const VARIANTS = 4;

let busybox: BusyboxArchive;
let variants: string[];
let imageDir: string;

/** `variant:N`: busybox plus 3 MB of its own random data, so each load writes real layers. */
async function makeVariants(dir: string): Promise<string[]> {
  const run = promisify(execFile);
  const rootfs = await makeBusyboxRootfs(join(dir, 'variant-rootfs'));
  const archives: string[] = [];
  for (let n = 0; n < VARIANTS; n++) {
    await writeFile(join(rootfs, 'data'), randomBytes(3 * 1024 * 1024));
    const tar = join(dir, `variant-${n}.rootfs.tar`);
    await run('tar', ['-C', rootfs, '-cf', tar, '.']);
    archives.push(tar);
  }
  return archives;
}

before(async () => {
  await prepareContainerHost();
  imageDir = await mkdtemp(join(tmpdir(), 'berth-crash-image-'));
  busybox = await makeBusyboxArchive(imageDir);
  variants = await makeVariants(imageDir);
});

after(() => rm(imageDir, { recursive: true, force: true }));

interface Operation {
  kind: 'import' | 'run' | 'rm' | 'rmi';
  args: string[];
  /** What must hold after a restart if the command had finished before the kill. */
  target: string;
}

interface Expectations {
  images: Set<string>;
  goneImages: Set<string>;
  running: Set<string>;
  removed: Set<string>;
}

function pick<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)];
}

function nextOperation(round: number, running: readonly string[], images: readonly string[]): Operation {
  const kinds: Operation['kind'][] = ['import', 'run', 'run'];
  if (running.length > 0) kinds.push('rm');
  if (running.length > 5) kinds.push('rm', 'rm');
  if (images.length > 0) kinds.push('rmi');
  const kind = pick(kinds);
  if (kind === 'import') {
    const n = round % VARIANTS;
    return { kind, args: ['import', variants[n], `variant:${n}`], target: `variant:${n}` };
  }
  if (kind === 'run') {
    const name = `c${round}`;
    return { kind, args: ['run', '-d', '--name', name, '--network', 'none', 'busybox', 'sleep', '1000'], target: name };
  }
  if (kind === 'rm') {
    const name = pick(running);
    return { kind, args: ['rm', '-f', name], target: name };
  }
  const image = pick(images);
  return { kind, args: ['rmi', image], target: image };
}

/** Runs the command and SIGKILLs the agent `killAfterMs` after it started (or at once when it ends first). */
async function runAndKill(agent: BerthAgent, args: string[], killAfterMs: number): Promise<{ result: CliResult; finishedBeforeKill: boolean; tookMs: number }> {
  const started = Date.now();
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    agent.child.kill('SIGKILL');
  }, killAfterMs);
  const result = await agent.run(args);
  const finishedBeforeKill = !killed;
  clearTimeout(timer);
  const tookMs = Date.now() - started;
  await agent.stop('SIGKILL');
  return { result, finishedBeforeKill, tookMs };
}

async function checkAfterRestart(agent: BerthAgent, expect: Expectations, round: number, log: string): Promise<void> {
  const layout = join(agent.root, 'images');
  const check = await checkStore(await ContentStore.open(layout), new ImageIndex(layout));
  assert.deepEqual(check.problems, [], `round ${round} (${log}): the store checks clean`);
  assert.deepEqual(await readdir(join(layout, 'ingest')), [], `round ${round}: the restarted agent cleared the ingest area`);

  const images = new Set((await agent.docker(['images', '--format', '{{.Repository}}:{{.Tag}}'])).split('\n').filter((l) => l !== ''));
  for (const image of expect.images) assert.ok(images.has(image), `round ${round} (${log}): ${image}, loaded before the kill, is listed`);
  for (const image of expect.goneImages) assert.ok(!images.has(image), `round ${round} (${log}): ${image}, removed before the kill, is not listed`);
  for (const image of images) {
    // Listed means complete: its config and every layer can be read.
    await agent.docker(['image', 'inspect', image]);
  }

  const lines = (await agent.docker(['ps', '-a', '--format', '{{.Names}} {{.State}}'])).split('\n').filter((l) => l !== '');
  const states = new Map(lines.map((line) => line.split(' ') as [string, string]));
  for (const name of expect.running) assert.equal(states.get(name), 'running', `round ${round} (${log}): ${name} was re-adopted as running`);
  for (const name of expect.removed) assert.ok(!states.has(name), `round ${round} (${log}): ${name}, removed before the kill, stays removed`);
  for (const [name, state] of states) {
    const pid = Number((await agent.docker(['inspect', '--format', '{{.State.Pid}}', name])).trim());
    if (state === 'running') assert.ok(pid > 0 && processAlive(pid), `round ${round} (${log}): running ${name} has a live process (pid ${pid})`);
    else assert.equal(pid, 0, `round ${round} (${log}): ${name} is ${state} and has no pid`);
  }
  // Nothing runs that the agent does not account for (e.g. started just before the kill).
  const ids = new Map((await agent.docker(['ps', '-a', '--no-trunc', '--format', '{{.ID}} {{.State}}'])).split('\n').filter((l) => l !== '').map((l) => l.split(' ') as [string, string]));
  for (const container of await runtimeContainers(agent.root)) {
    if (container.status !== 'running') continue;
    assert.equal(ids.get(container.id), 'running', `round ${round} (${log}): the runtime runs ${container.id.slice(0, 12)}, so docker ps must show it running`);
  }
}

/** What crun itself says runs under the agent's state dir. */
async function runtimeContainers(root: string): Promise<{ id: string; status: string }[]> {
  const { stdout } = await promisify(execFile)('crun', [`--root=${join(root, 'run', 'crun')}`, 'list', '--format', 'json']);
  return (JSON.parse(stdout) as { id: string; status: string }[]).map(({ id, status }) => ({ id, status }));
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test(`crash suite: ${ROUNDS} rounds of kill -9 during import, run, rm and rmi`, { timeout: 600_000 }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-crash-'));
  let agent = await startBerth(t, { dir });
  t.after(async () => {
    if (agent.child.exitCode === null && agent.child.signalCode === null) {
      const ids = (await agent.docker(['ps', '-aq'])).split('\n').filter((id) => id !== '');
      if (ids.length > 0) await agent.docker(['rm', '-f', ...ids]);
      await agent.stop();
    }
    if ((await mountsUnder(dir)).length === 0) await rm(dir, { recursive: true, force: true });
  });
  await agent.docker(['load', '-i', busybox.archive]);

  const expect: Expectations = { images: new Set(['busybox:latest']), goneImages: new Set(), running: new Set(), removed: new Set() };
  // The kill lands somewhere in the operation: up to the longest time it took uninterrupted.
  const typical = new Map<Operation['kind'], number>([['import', 600], ['run', 400], ['rm', 300], ['rmi', 150]]);
  const counts = { killedMidway: 0, finished: 0 };
  const started = Date.now();
  for (let round = 0; round < ROUNDS; round++) {
    const images = [...expect.images].filter((i) => i !== 'busybox:latest');
    const op = nextOperation(round, [...expect.running], images);
    const killAfter = Math.floor(Math.random() * typical.get(op.kind)!);
    const { result, finishedBeforeKill, tookMs } = await runAndKill(agent, op.args, killAfter);
    const log = `${op.args.join(' ')}, killed after ${killAfter} ms, ${finishedBeforeKill ? `finished with ${result.code}` : 'interrupted'}`;
    if (finishedBeforeKill) {
      counts.finished++;
      typical.set(op.kind, Math.max(typical.get(op.kind)!, tookMs));
      assert.equal(result.code, 0, `round ${round}: ${op.args.join(' ')} failed without a crash: ${result.stderr}`);
      if (op.kind === 'import') {
        expect.images.add(op.target);
        expect.goneImages.delete(op.target);
      } else if (op.kind === 'run') expect.running.add(op.target);
      else if (op.kind === 'rm') {
        expect.running.delete(op.target);
        expect.removed.add(op.target);
      } else {
        expect.images.delete(op.target);
        expect.goneImages.add(op.target);
      }
    } else {
      counts.killedMidway++;
      // Interrupted: either outcome is fine, but the expectations no longer know which.
      if (op.kind === 'import') expect.goneImages.delete(op.target);
      if (op.kind === 'rm') expect.running.delete(op.target);
      if (op.kind === 'rmi') expect.images.delete(op.target);
    }
    agent = await startBerth(t, { dir });
    await checkAfterRestart(agent, expect, round, log);
  }
  t.diagnostic(`${ROUNDS} rounds in ${Date.now() - started} ms: ${counts.killedMidway} operations interrupted, ${counts.finished} finished before the kill`);
  assert.ok(counts.killedMidway >= ROUNDS / 4, `only ${counts.killedMidway} of ${ROUNDS} kills landed mid-operation`);

  // After all that, the engine still works end to end and cleans up completely.
  assert.equal(await agent.docker(['run', '--rm', '--network', 'none', 'busybox', 'echo', 'still works']), 'still works\n');
  const ids = (await agent.docker(['ps', '-aq'])).split('\n').filter((id) => id !== '');
  if (ids.length > 0) await agent.docker(['rm', '-f', ...ids]);
  assert.deepEqual(await mountsUnder(dir), [], 'no overlay is left mounted');
});
