// conmon's stdio, driven directly with real conmon + crun (no agent): the attach socket client
// (attachSocket.ts), a terminal and its resizing through the control FIFO, stdin with and
// without a terminal (half-close ends the process's input), and exec sessions through
// `conmon --exec` (pid, exit code, stdin, terminal, a command that does not exist).
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import type { AttachSocket, OutputChunk } from '../../../runtime/container/attachSocket';
import { resizeMessage } from '../../../runtime/container/conmonControl';
import { ExecStartError } from '../../../runtime/container/conmonExec';
import { ConmonRuntime } from '../../../runtime/container/conmonRuntime';
import { ociSpec } from '../../../runtime/container/ociSpec';
import { checkHost, type HostTools } from '../../../runtime/host/hostCheck';
import { makeBusyboxRootfs } from '../image/busyboxRootfs';
import { prepareContainerHost } from './containerHost';

let tools: HostTools;
let rootfsDir: string;
let rootfs: string;

before(async () => {
  await prepareContainerHost();
  const host = await checkHost();
  if (!host.ok) throw new Error(host.problems.join('; '));
  tools = host.tools;
  rootfsDir = await mkdtemp(join(tmpdir(), 'berth-stdio-rootfs-'));
  rootfs = await makeBusyboxRootfs(join(rootfsDir, 'rootfs'));
  await writeFile(join(rootfs, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n');
});

after(() => rm(rootfsDir, { recursive: true, force: true }));

interface Fixture {
  runtime: ConmonRuntime;
  dir: string;
  /** Writes a bundle for `args` and returns its path. */
  bundle(id: string, args: string[], terminal: boolean): Promise<string>;
}

/** A runtime on a temp dir; on the way out every container it made is deleted. */
async function fixture(t: TestContext): Promise<Fixture> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-stdio-'));
  const runtime = new ConmonRuntime(tools, { stateDir: join(dir, 'crun'), exitDir: join(dir, 'exits'), socketDir: join(dir, 's') });
  await runtime.init();
  const ids: string[] = [];
  t.after(async () => {
    for (const id of ids) await runtime.delete(id).catch(() => undefined);
    runtime.close();
    await rm(dir, { recursive: true, force: true });
  });
  return {
    runtime,
    dir,
    async bundle(id, args, terminal) {
      ids.push(id);
      const bundle = join(dir, id);
      await mkdir(bundle, { recursive: true });
      const spec = ociSpec({ rootfs, args, env: ['PATH=/bin', 'TERM=xterm'], cwd: '/', uid: 0, gid: 0, additionalGids: [], hostname: 'box', network: 'none', terminal, nofile: 1024 });
      await writeFile(join(bundle, 'config.json'), JSON.stringify(spec));
      return bundle;
    },
  };
}

/** Reads output chunks until `text` (all streams joined) matches; resolves with that text. */
function readUntil(socket: AttachSocket, pattern: RegExp, seen: { text: string } = { text: '' }): Promise<string> {
  return new Promise((resolve, reject) => {
    const check = (): boolean => {
      if (!pattern.test(seen.text)) return false;
      socket.off('data', onData);
      socket.off('end', onEnd);
      resolve(seen.text);
      return true;
    };
    const onData = (chunk: OutputChunk): void => {
      seen.text += chunk.data.toString('utf8');
      check();
    };
    const onEnd = (): void => {
      if (!check()) reject(new Error(`the stream ended before ${pattern} appeared; got ${JSON.stringify(seen.text)}`));
    };
    if (check()) return;
    socket.on('data', onData);
    socket.once('end', onEnd);
  });
}

/**
 * Asks the shell on the terminal for its size until it reports `rows cols`: conmon applies a
 * resize asynchronously (control FIFO, then its window-size FIFO), so the first answer may
 * still be the old size.
 */
async function untilSize(socket: AttachSocket, rows: number, cols: number): Promise<void> {
  const seen = { text: '' };
  for (let attempt = 0; attempt < 50; attempt++) {
    seen.text = '';
    socket.write('stty size\n');
    const shown = await readUntil(socket, /(\d+) (\d+)\r\n/, seen);
    if (shown.includes(`${rows} ${cols}\r\n`)) return;
  }
  throw new Error(`the terminal never reported ${rows} ${cols}`);
}

/** Everything until the stream ends, per stream. */
async function readAll(socket: AttachSocket): Promise<{ stdout: string; stderr: string }> {
  const out = { stdout: '', stderr: '' };
  for await (const chunk of socket as AsyncIterable<OutputChunk>) out[chunk.stream] += chunk.data.toString('utf8');
  return out;
}

test('resize messages are checked against conmon\'s limits', () => {
  assert.equal(resizeMessage(24, 80), '1 24 80\n');
  assert.throws(() => resizeMessage(-1, 80), /height must be a whole number from 0 to 1000/);
  assert.throws(() => resizeMessage(24, 1.5), /width/);
});

test('a terminal: output, typed input, resize, exit code', async (t) => {
  const { runtime, bundle: makeBundle } = await fixture(t);
  const id = 'tty1';
  const bundle = await makeBundle(id, ['sh'], true);
  const abort = new AbortController();
  const attached = runtime.attachNextRun(id, abort.signal);
  await runtime.create({ id, name: id, bundle, logPath: join(bundle, 'log'), terminal: true });
  const socket = await attached;
  const exited = runtime.waitExit(id);
  await runtime.start(id, bundle);
  assert.equal(await runtime.resize(bundle, 33, 101), true);
  socket.write('echo "a""b"\n');
  await readUntil(socket, /ab\r\n/);
  await untilSize(socket, 33, 101);
  await runtime.resize(bundle, 40, 120);
  await untilSize(socket, 40, 120);
  socket.write('exit 3\n');
  await readAll(socket);
  assert.equal((await exited).exitCode, 3);
  assert.equal(await runtime.resize(bundle, 10, 10), false, 'no resize once conmon has gone');
});

test('stdin without a terminal: the half-close ends the input', async (t) => {
  const { runtime, bundle: makeBundle } = await fixture(t);
  const id = 'cat1';
  const bundle = await makeBundle(id, ['sh', '-c', 'cat; echo done >&2'], false);
  const attached = runtime.attachNextRun(id, new AbortController().signal);
  await runtime.create({ id, name: id, bundle, logPath: join(bundle, 'log'), stdin: true });
  const socket = await attached;
  const exited = runtime.waitExit(id);
  await runtime.start(id, bundle);
  // More than one packet's worth, so the client must split it.
  const big = 'x'.repeat(20000) + '\n';
  socket.write('hello\n');
  socket.end(big);
  const output = await readAll(socket);
  assert.equal(output.stdout, 'hello\n' + big);
  assert.equal(output.stderr, 'done\n');
  assert.equal((await exited).exitCode, 0);
});

test('an attach cancelled before the run is not connected', async (t) => {
  const { runtime } = await fixture(t);
  const abort = new AbortController();
  const attached = runtime.attachNextRun('never', abort.signal);
  abort.abort();
  await assert.rejects(attached, /cancelled/);
});

test('exec sessions: output, exit code, stdin, environment, user, working dir, terminal', async (t) => {
  const { runtime, dir, bundle: makeBundle } = await fixture(t);
  const id = 'main1';
  const bundle = await makeBundle(id, ['sleep', '1000'], false);
  await runtime.create({ id, name: id, bundle, logPath: join(bundle, 'log') });
  await runtime.start(id, bundle);

  const processSpec = async (name: string, process: Record<string, unknown>): Promise<string> => {
    const base = ociSpec({ rootfs, args: ['true'], env: ['PATH=/bin'], cwd: '/', uid: 0, gid: 0, additionalGids: [], hostname: 'box', network: 'none', terminal: false, nofile: 1024 }).process as Record<string, unknown>;
    const path = join(dir, `${name}.json`);
    await writeFile(path, JSON.stringify({ ...base, ...process }));
    return path;
  };
  const session = async (sessionId: string, process: Record<string, unknown>, options: { terminal?: boolean; stdin?: boolean } = {}) => {
    const sessionDir = join(dir, 'exec', sessionId);
    await mkdir(sessionDir, { recursive: true });
    return runtime.exec({
      containerId: id,
      containerName: id,
      sessionId,
      dir: sessionDir,
      processSpecPath: await processSpec(sessionId, process),
      terminal: options.terminal ?? false,
      stdin: options.stdin ?? false,
      attach: true,
    });
  };

  const plain = await session('e1', { args: ['sh', '-c', 'echo out; echo err >&2; echo "$A"; pwd; id -u; read line; echo "got $line"; exit 5'], env: ['PATH=/bin', 'A=1'], cwd: '/tmp', user: { uid: 65534, gid: 65534 } }, { stdin: true });
  assert.ok(plain.pid > 0);
  plain.socket!.end('typed\n');
  assert.deepEqual(await readAll(plain.socket!), { stdout: 'out\n1\n/tmp\n65534\ngot typed\n', stderr: 'err\n' });
  assert.equal(await plain.exited, 5);

  // The first size is the spec's (the runtime sizes the terminal before the process runs);
  // later ones go through conmon.
  const tty = await session('e2', { args: ['sh', '-c', 'stty size; tty; exec sh'], terminal: true, consoleSize: { height: 20, width: 70 } }, { terminal: true });
  await readUntil(tty.socket!, /20 70\r\n\/dev\/pts\/\d+\r\n/);
  await runtime.resize(join(dir, 'exec', 'e2'), 21, 71);
  await untilSize(tty.socket!, 21, 71);
  tty.socket!.write('exit 4\n');
  await readAll(tty.socket!);
  assert.equal(await tty.exited, 4);

  await assert.rejects(
    session('e3', { args: ['no-such-command'] }),
    (error: unknown) => error instanceof ExecStartError && error.exitCode === 127 && /no-such-command/.test(error.message),
  );
});
