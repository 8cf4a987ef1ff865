// Pure pieces of interactive containers and exec: the exec and exec-start bodies, the exec
// process built from the container's, and conmon's pipe messages.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseExecCreateBody, parseExecStartBody } from '../../../runtime/api/execBodies';
import { ConmonPipeError, parseSyncMessage } from '../../../runtime/container/conmonPipes';
import { execFailureCode } from '../../../runtime/container/conmonExec';
import { execProcess, replaceEnv } from '../../../runtime/container/execProcess';

test('the exec body: normalised, checked, --privileged refused by name', () => {
  assert.deepEqual(parseExecCreateBody(JSON.stringify({ Cmd: ['sh'], Env: ['A=1'], WorkingDir: '/tmp', User: 'nobody', Tty: true, AttachStdin: true, AttachStdout: true, AttachStderr: true, ConsoleSize: [24, 80] })), {
    cmd: ['sh'],
    env: ['A=1'],
    workingDir: '/tmp',
    user: 'nobody',
    tty: true,
    attachStdin: true,
    attachStdout: true,
    attachStderr: true,
    consoleSize: [24, 80],
  });
  assert.throws(() => parseExecCreateBody('{}'), /No exec command specified/);
  assert.throws(() => parseExecCreateBody('{"Cmd":["sh"],"Privileged":true}'), /does not support docker exec --privileged/);
  assert.throws(() => parseExecCreateBody('{"Cmd":["sh"],"Tty":"yes"}'), /"Tty" must be true or false/);
  assert.throws(() => parseExecCreateBody('not json'), /not valid JSON/);
  assert.deepEqual(parseExecStartBody(Buffer.from('{"Detach":false,"Tty":true,"ConsoleSize":[0,0]}')), { detach: false, tty: true, consoleSize: undefined });
  assert.deepEqual(parseExecStartBody(Buffer.alloc(0)), { detach: false, tty: false, consoleSize: undefined });
  assert.throws(() => parseExecStartBody(Buffer.from('{"ConsoleSize":[1]}')), /\[height, width\]/);
});

test('the exec process: the container\'s, with the exec\'s command, environment, dir, user and terminal', () => {
  const container = {
    terminal: false,
    user: { uid: 0, gid: 0 },
    args: ['sleep', '1000'],
    env: ['PATH=/bin', 'A=old', 'HOME=/root'],
    cwd: '/',
    capabilities: { bounding: ['CAP_KILL'], effective: ['CAP_KILL'], permitted: ['CAP_KILL'], inheritable: ['CAP_KILL'] },
    rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }],
  };
  const plain = execProcess(container, { args: ['echo', 'hi'], env: [], terminal: false });
  assert.deepEqual(plain, { ...container, args: ['echo', 'hi'] });
  const custom = execProcess(container, { args: ['sh'], env: ['A=new', 'B=2', 'BARE'], cwd: '/tmp', user: { uid: 65534, gid: 65534, additionalGids: [], home: '/' }, terminal: true });
  assert.deepEqual(custom.env, ['PATH=/bin', 'A=new', 'HOME=/root', 'TERM=xterm', 'B=2']);
  assert.equal(custom.cwd, '/tmp');
  assert.equal(custom.terminal, true);
  assert.deepEqual(custom.user, { uid: 65534, gid: 65534 });
  assert.deepEqual((custom.capabilities as { inheritable: string[] }).inheritable, [], 'a non-root user inherits no capabilities');
  assert.deepEqual(custom.rlimits, container.rlimits);
  assert.deepEqual(execProcess(container, { args: ['sh'], env: [], terminal: true, consoleSize: [24, 80] }).consoleSize, { height: 24, width: 80 });
  assert.equal(execProcess(container, { args: ['sh'], env: [], terminal: false, consoleSize: [24, 80] }).consoleSize, undefined, 'no terminal, no size');
  assert.deepEqual(replaceEnv(['TERM=dumb'], ['TERM=xterm']), ['TERM=xterm']);
});

test('conmon pipe messages and exec failure codes', () => {
  assert.deepEqual(parseSyncMessage('{"data": 123}'), { data: 123 });
  assert.deepEqual(parseSyncMessage('{"data": -1, "message": "boom"}'), { data: -1, message: 'boom' });
  assert.throws(() => parseSyncMessage('nope'), ConmonPipeError);
  assert.throws(() => parseSyncMessage('{"message":"x"}'), /without a number/);
  assert.equal(execFailureCode('executable file `x` not found in $PATH: No such file or directory'), 127);
  assert.equal(execFailureCode('permission denied'), 126);
});
