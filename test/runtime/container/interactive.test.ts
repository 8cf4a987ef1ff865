// Interactive containers through the stock docker CLI against `berth serve`, the CLI in a real
// terminal (cliTerminal.ts) where it needs one: `docker run -it` (prompt, typing, resize, exit
// code), `docker run -i` with piped stdin (its end closes the container's stdin), `docker attach`
// with stdin and its detach keys, `docker start -ai`, and `docker logs` of a container with a
// terminal.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { DOCKER, DOCKER_20 } from '../api/berthServe';
import { makeBusyboxArchive, type BusyboxArchive } from '../api/busyboxArchive';
import { agentWithBusybox } from './busyboxAgent';
import { CliTerminal } from './cliTerminal';
import { prepareContainerHost } from './containerHost';

let busybox: BusyboxArchive;
let imageDir: string;

before(async () => {
  await prepareContainerHost();
  imageDir = await mkdtemp(join(tmpdir(), 'berth-tty-image-'));
  busybox = await makeBusyboxArchive(imageDir);
});

after(() => rm(imageDir, { recursive: true, force: true }));

/** busybox sh's prompt, after whatever escape sequences it sends first. */
const PROMPT = /\/ # [^\n]*$/;

test('docker run -it: a shell in a real terminal, resized, with its exit code', async (t) => {
  const agent = await agentWithBusybox(t, busybox);
  const term = new CliTerminal(DOCKER, ['run', '-it', '--rm', '--network', 'none', '--name', 'tty', 'busybox', 'sh'], agent.env, { rows: 30, cols: 90 });
  t.after(() => term.kill());
  await term.waitFor(PROMPT);
  // The container's terminal starts at the size of the CLI's.
  let mark = term.type('stty size; echo "$TERM" "a""b"\n');
  await term.waitFor(/30 90\r\nxterm ab\r\n/, mark);
  const inspect = JSON.parse(await agent.docker(['inspect', '--format', '{{json .Config}}', 'tty'])) as { Tty: boolean; OpenStdin: boolean; StdinOnce: boolean };
  assert.deepEqual([inspect.Tty, inspect.OpenStdin, inspect.StdinOnce], [true, true, true]);
  await term.waitFor(PROMPT, mark);

  await term.resize(44, 132);
  // The CLI sends the new size when its SIGWINCH arrives; ask until the shell sees it.
  for (let attempt = 0; ; attempt++) {
    mark = term.type('stty size\n');
    const shown = await term.waitFor(/\d+ \d+\r\n[^]*\/ # /, mark);
    if (shown.includes('44 132')) break;
    assert.ok(attempt < 50, `the resize never reached the container: ${shown}`);
  }
  term.type('exit 4\n');
  assert.equal(await term.exited, 4);
  assert.equal(await agent.docker(['ps', '-aq']), '', '--rm removed it');
});

test('docker run -i: piped stdin reaches the container, and its end closes the container\'s stdin', async (t) => {
  const agent = await agentWithBusybox(t, busybox);
  const lines = Array.from({ length: 5000 }, (_, i) => `line ${i}`).join('\n') + '\n';
  const result = await agent.run(['run', '-i', '--rm', '--network', 'none', 'busybox', 'sh', '-c', 'cat; echo "stdin closed" >&2; exit 3'], { stdin: Readable.from([lines]) });
  assert.deepEqual(result, { code: 3, stdout: lines, stderr: 'stdin closed\n' });
  if (existsSync(DOCKER_20)) {
    const old = await agent.run(['run', '-i', '--rm', '--network', 'none', 'busybox', 'cat'], { cli: DOCKER_20, stdin: Readable.from(['old cli\n']) });
    assert.deepEqual(old, { code: 0, stdout: 'old cli\n', stderr: '' });
  }
});

test('docker attach with stdin and detach keys, docker logs of a terminal, docker start -ai', async (t) => {
  const agent = await agentWithBusybox(t, busybox);
  await agent.docker(['run', '-dit', '--name', 'box', '--network', 'none', 'busybox', 'sh']);
  const attach = new CliTerminal(DOCKER, ['attach', 'box'], agent.env);
  t.after(() => attach.kill());
  // The prompt was printed before the attach; the shell answers what is typed now.
  let mark = attach.type('echo "at""tached"\n');
  await attach.waitFor(/attached\r\n/, mark);
  // Ctrl-P Ctrl-Q detaches: the CLI leaves (saying so, with status 1 as against dockerd), the
  // shell goes on.
  attach.type('\x10\x11');
  assert.equal(await attach.exited, 1);
  assert.match(attach.output, /read escape sequence/);
  assert.match(await agent.docker(['ps', '--format', '{{.Names}} {{.Status}}']), /^box Up /);
  const again = new CliTerminal(DOCKER, ['attach', 'box'], agent.env);
  t.after(() => again.kill());
  mark = again.type('echo "ag""ain"\n');
  await again.waitFor(/again\r\n/, mark);
  again.type('exit 2\n');
  assert.equal(await again.exited, 2);
  assert.equal((await agent.docker(['inspect', '--format', '{{.State.ExitCode}}', 'box'])).trim(), '2');

  // A terminal's log is one raw stream, \r\n as the terminal wrote it.
  const logs = await agent.run(['logs', 'box']);
  assert.equal(logs.stderr, '');
  assert.match(logs.stdout, /\r\nattached\r\n/);

  const start = new CliTerminal(DOCKER, ['start', '-ai', 'box'], agent.env);
  t.after(() => start.kill());
  await start.waitFor(PROMPT);
  mark = start.type('echo "re""started"\n');
  await start.waitFor(/restarted\r\n/, mark);
  start.type('exit 5\n');
  assert.equal(await start.exited, 5);
});

test('docker run -a stdin without a terminal keeps stdout and stderr apart', async (t) => {
  const agent = await agentWithBusybox(t, busybox);
  const result = await agent.run(['run', '-i', '--network', 'none', '--name', 'split', 'busybox', 'sh', '-c', 'read x; echo "out $x"; echo "err $x" >&2'], { stdin: Readable.from(['v\n']) });
  assert.deepEqual(result, { code: 0, stdout: 'out v\n', stderr: 'err v\n' });
  assert.equal(await agent.docker(['logs', 'split']), 'out v\n');
});
