// `docker exec` through the stock CLI against `berth serve`: output and exit codes, -e/-w/-u,
// -i with a file on stdin, -it in a real terminal (resize, exit code), -d, a command that does not
// exist (127), a user that does not exist (126), exec inspect, and exec into a stopped
// container (409 with dockerd's message).
import assert from 'node:assert/strict';
import { createReadStream, existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
  imageDir = await mkdtemp(join(tmpdir(), 'berth-exec-image-'));
  busybox = await makeBusyboxArchive(imageDir);
});

after(() => rm(imageDir, { recursive: true, force: true }));

test('docker exec: output, exit codes, environment, working dir, user, stdin, detached', async (t) => {
  const agent = await agentWithBusybox(t, busybox);
  await agent.docker(['run', '-d', '--name', 'web', '--network', 'none', '-e', 'FROM_RUN=yes', 'busybox', 'sleep', '1000']);
  const started = Date.now();
  assert.deepEqual(await agent.run(['exec', 'web', 'echo', 'hi']), { code: 0, stdout: 'hi\n', stderr: '' });
  t.diagnostic(`docker exec echo: ${Date.now() - started} ms`);

  // The test image has no /etc/passwd: give the container one, so `-u nobody` resolves through
  // the container's own files, as it would with a real base image.
  await agent.docker(['exec', 'web', 'sh', '-c', 'echo "nobody:x:65534:65534:nobody:/nonexistent:/bin/false" > /etc/passwd']);
  const custom = await agent.run(['exec', '-e', 'A=1', '-w', '/tmp', '-u', 'nobody', 'web', 'sh', '-c', 'echo "$A $FROM_RUN"; pwd; id -u; echo err >&2; exit 6']);
  assert.deepEqual(custom, { code: 6, stdout: '1 yes\n/tmp\n65534\n', stderr: 'err\n' });

  const dir = await mkdtemp(join(tmpdir(), 'berth-exec-in-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const input = Array.from({ length: 3000 }, (_, i) => `row ${i}`).join('\n') + '\n';
  await writeFile(join(dir, 'in.txt'), input);
  assert.deepEqual(await agent.run(['exec', '-i', 'web', 'cat'], { stdin: createReadStream(join(dir, 'in.txt')) }), { code: 0, stdout: input, stderr: '' });

  // A detached exec runs on its own; a FIFO says when it has written (cat blocks until then).
  await agent.docker(['exec', 'web', 'mkfifo', '/tmp/fifo']);
  await agent.docker(['exec', '-d', 'web', 'sh', '-c', 'echo detached > /tmp/fifo']);
  assert.equal(await agent.docker(['exec', 'web', 'cat', '/tmp/fifo']), 'detached\n');

  const missing = await agent.run(['exec', 'web', 'no-such-command']);
  assert.equal(missing.code, 127);
  assert.match(missing.stdout + missing.stderr, /no-such-command/);
  const badUser = await agent.run(['exec', '-u', 'nosuch', 'web', 'true']);
  assert.equal(badUser.code, 126);
  assert.match(badUser.stdout + badUser.stderr, /unable to find user nosuch/);

  if (existsSync(DOCKER_20)) {
    assert.deepEqual(await agent.run(['exec', 'web', 'sh', '-c', 'echo old; exit 2'], { cli: DOCKER_20 }), { code: 2, stdout: 'old\n', stderr: '' });
  }
});

test('docker exec -it: a shell in a real terminal, resized, with its exit code', async (t) => {
  const agent = await agentWithBusybox(t, busybox);
  await agent.docker(['run', '-d', '--name', 'web', '--network', 'none', 'busybox', 'sleep', '1000']);
  const term = new CliTerminal(DOCKER, ['exec', '-it', 'web', 'sh'], agent.env, { rows: 25, cols: 85 });
  t.after(() => term.kill());
  await term.waitFor(/\/ # [^\n]*$/);
  let mark = term.type('tty; echo "$TERM"\n');
  await term.waitFor(/\/dev\/pts\/\d+\r\nxterm\r\n/, mark);
  await term.resize(50, 140);
  for (let attempt = 0; ; attempt++) {
    mark = term.type('stty size\n');
    const shown = await term.waitFor(/\d+ \d+\r\n[^]*\/ # /, mark);
    if (shown.includes('50 140')) break;
    assert.ok(attempt < 50, `the resize never reached the exec: ${shown}`);
  }
  term.type('exit 7\n');
  assert.equal(await term.exited, 7);
});

test('exec inspect, and exec into a container that is not running', async (t) => {
  const agent = await agentWithBusybox(t, busybox);
  await agent.docker(['run', '-d', '--name', 'web', '--network', 'none', 'busybox', 'sleep', '1000']);
  const socketPath = agent.ready.docker.replace(/^unix:\/\//, '');
  const api = async (method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> => {
    const { request } = await import('node:http');
    return new Promise((resolve, reject) => {
      const req = request({ socketPath, method, path, headers: { 'Content-Type': 'application/json' } }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: text === '' ? undefined : JSON.parse(text) }));
      });
      req.once('error', reject);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });
  };
  const created = await api('POST', '/v1.41/containers/web/exec', { Cmd: ['sh', '-c', 'exit 3'], AttachStdout: true });
  assert.equal(created.status, 201);
  const id = (created.json as { Id: string }).Id;
  const before = (await api('GET', `/v1.41/exec/${id}/json`)).json as Record<string, unknown>;
  assert.equal(before.Running, false);
  assert.equal(before.ExitCode, null);
  assert.deepEqual(before.ProcessConfig, { tty: false, entrypoint: 'sh', arguments: ['-c', 'exit 3'], privileged: false, user: '' });
  assert.equal(await api('POST', `/v1.41/exec/${id}/start`, { Detach: true }).then((r) => r.status), 200);
  for (let attempt = 0; ; attempt++) {
    const info = (await api('GET', `/v1.41/exec/${id}/json`)).json as { Running: boolean; ExitCode: number | null; Pid: number };
    if (info.ExitCode !== null) {
      assert.deepEqual([info.Running, info.ExitCode], [false, 3]);
      assert.ok(info.Pid > 0);
      break;
    }
    assert.ok(attempt < 200, 'the detached exec never ended');
  }
  const again = await api('POST', `/v1.41/exec/${id}/start`, { Detach: true });
  assert.equal(again.status, 409);
  assert.equal((await api('GET', '/v1.41/exec/nope/json')).status, 404);

  const fullId = (await agent.docker(['inspect', '--format', '{{.Id}}', 'web'])).trim();
  await agent.docker(['kill', 'web']);
  await agent.docker(['wait', 'web']);
  const stopped = await agent.run(['exec', 'web', 'true']);
  assert.notEqual(stopped.code, 0);
  assert.match(stopped.stderr, new RegExp(`Container ${fullId} is not running`));
  const raw = await api('POST', '/v1.41/containers/web/exec', { Cmd: ['true'] });
  assert.equal(raw.status, 409);

  // Sessions go with their container.
  await agent.docker(['rm', 'web']);
  assert.equal((await api('GET', `/v1.41/exec/${id}/json`)).status, 404);
});
