// The extension's side of the bridge, with no VS Code: start the bundled agent and connect;
// kill -9 the agent and the connection brings up a new one and reconnects by itself (events
// included); a configured agent on a fixed port is found again after it restarts; stop() stops
// the agent it started.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { AgentConnection, type ConnectionState } from '../../extension/agent/agentConnection';
import { startAgentProcess, type AgentProcess } from '../../extension/agent/agentProcess';
import { BridgeRequestError } from '../../extension/agent/bridgeClient';
import { BERTH, checkBundle, startBerth, tempDir } from '../runtime/api/berthServe';

function nextState(connection: AgentConnection, status: ConnectionState['status']): Promise<ConnectionState> {
  return new Promise((resolve) => {
    const stop = connection.onState((state) => {
      if (state.status !== status) return;
      stop();
      resolve(state);
    });
  });
}

test('the bundled agent: started, reconnected after kill -9, stopped with the connection', async (t) => {
  checkBundle();
  const dir = await tempDir(t, 'berth-ext-agent-');
  const started: AgentProcess[] = [];
  const log: string[] = [];
  const connection = new AgentConnection(
    {
      kind: 'bundled',
      start: async () => {
        const agent = await startAgentProcess({ node: process.execPath, script: BERTH, root: join(dir, 'root'), dockerSocket: join(dir, 'docker.sock'), log: (line) => log.push(line) });
        started.push(agent);
        return agent;
      },
    },
    { log: (line) => log.push(line), backoffMs: [50], events: true },
  );
  t.after(() => connection.stop());
  connection.start();
  const client = await connection.connected();
  assert.deepEqual(await client.request('images.list'), []);
  await assert.rejects(client.request('images.inspect', { ref: 'missing' }), (error: BridgeRequestError) => error.status === 404);

  const disconnected = nextState(connection, 'disconnected');
  started[0].child.kill('SIGKILL');
  assert.match((await disconnected as { error: string }).error, /agent exited \(SIGKILL\)|connection .* closed/);
  const again = await connection.connected();
  assert.notEqual(again, client);
  assert.equal(started.length, 2, 'a new agent was started');

  // Events flow on the new connection without anyone subscribing again.
  const event = new Promise<{ Type: string; Action: string }>((resolve) => connection.onNotification((method, params) => method === 'engine.event' && resolve(params as { Type: string; Action: string })));
  execFileSync('docker', ['volume', 'create', 'ext-test'], { env: { ...process.env, DOCKER_HOST: started[1].ready.docker } });
  const { Type, Action } = await event;
  assert.deepEqual([Type, Action], ['volume', 'create']);

  await connection.stop();
  assert.equal(connection.current.status, 'stopped');
  assert.notEqual(started[1].child.exitCode ?? started[1].child.signalCode, null, 'the agent it started has stopped');
  assert.equal(existsSync(join(dir, 'docker.sock')), false);
});

test('a configured agent on a fixed bridge port is reconnected after it restarts', async (t) => {
  const port = await freePort();
  const dir = await tempDir(t, 'berth-ext-external-');
  let agent = await startBerth(t, { dir, args: ['--bridge-port', String(port)] });
  assert.equal(agent.ready.bridge, `ws://127.0.0.1:${port}`);
  const connection = new AgentConnection({ kind: 'external', url: agent.ready.bridge, tokenFile: agent.ready.tokenFile }, { log: () => undefined, backoffMs: [50] });
  t.after(() => connection.stop());
  connection.start();
  await connection.connected();
  const disconnected = nextState(connection, 'disconnected');
  await agent.stop();
  await disconnected;
  agent = await startBerth(t, { dir, args: ['--bridge-port', String(port)] });
  const client = await connection.connected();
  assert.equal((await client.request<{ Engine: string }>('system.version')).Engine, 'embedded', 'reconnected with the new token');
  await connection.stop();
  assert.equal(agent.child.exitCode, null, 'a configured agent keeps running when the extension lets go');
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
