// `berth serve` as a process: the ready line, the socket's mode, refusing a socket another agent
// serves, taking over a stale one, shutting down on SIGTERM, and the answers every client sees
// first (_ping, version negotiation, version, info, unsupported endpoints).
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { request, type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { test } from 'node:test';
import { spawnServe, startBerth, DOCKER_20 } from './berthServe';

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(socketPath: string, path: string, method = 'GET'): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, method }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('serve prints a ready line, listens with mode 0660 and stops on SIGTERM, removing the socket', async (t) => {
  const started = Date.now();
  const agent = await startBerth(t);
  t.diagnostic(`ready after ${Date.now() - started} ms`);
  assert.deepEqual(agent.ready, { docker: `unix://${agent.socket}`, root: agent.root, bridge: agent.ready.bridge, tokenFile: join(agent.root, 'bridge.token') });
  assert.match(agent.ready.bridge, /^ws:\/\/127\.0\.0\.1:[0-9]+$/);
  assert.equal(statSync(agent.socket).mode & 0o777, 0o660);
  const stopping = Date.now();
  const exit = await agent.stop('SIGTERM');
  t.diagnostic(`stopped ${Date.now() - stopping} ms after SIGTERM`);
  assert.deepEqual([exit.code, exit.signal], [0, null], exit.stderr);
  assert.equal(existsSync(agent.socket), false, 'the socket is removed');
  assert.equal(existsSync(agent.ready.tokenFile), false, "the bridge token goes with the agent");
});

test('a second serve on the same socket refuses with a clear error; a stale socket is taken over', async (t) => {
  const agent = await startBerth(t);
  const second = spawnServe(`${agent.dir}/other-root`, agent.socket);
  await assert.rejects(second.ready, /another agent is already serving on .*docker\.sock/);
  assert.equal(second.child.exitCode, 1);
  assert.equal((await agent.docker(['version', '--format', '{{.Server.Version}}'])).trim(), '0.1.0', 'the first agent still answers');

  const sameRoot = spawnServe(agent.root, `${agent.dir}/other.sock`);
  await assert.rejects(sameRoot.ready, /another berth agent \(pid [0-9]+\) is serving the root/);
  assert.equal(existsSync(`${agent.dir}/other.sock`), false);

  // SIGKILL leaves the socket file behind; nothing answers on it, so the next agent replaces it.
  await agent.stop('SIGKILL');
  assert.equal(existsSync(agent.socket), true);
  const next = await startBerth(t, { dir: agent.dir });
  assert.match(await next.docker(['version']), /Server: berth/);
  assert.equal((await next.stop()).code, 0);
});

test('_ping, version negotiation and the unsupported-endpoint answer', async (t) => {
  const agent = await startBerth(t);
  const ping = await get(agent.socket, '/_ping');
  assert.equal(ping.status, 200);
  assert.equal(ping.body, 'OK');
  for (const [name, value] of Object.entries({
    'api-version': '1.41',
    'builder-version': '1',
    ostype: 'linux',
    'docker-experimental': 'false',
    'cache-control': 'no-cache, no-store, must-revalidate',
    pragma: 'no-cache',
    swarm: 'inactive',
  })) {
    assert.equal(ping.headers[name], value, name);
  }
  assert.match(String(ping.headers.server), /^berth\/0\.1\.0 \(linux\)$/);
  const head = await get(agent.socket, '/_ping', 'HEAD');
  assert.deepEqual([head.status, head.body, head.headers['api-version']], [200, '', '1.41']);

  const tooNew = await get(agent.socket, '/v1.50/version');
  assert.equal(tooNew.status, 400);
  assert.deepEqual(JSON.parse(tooNew.body), { message: 'client version 1.50 is too new. Maximum supported API version is 1.41' });
  const tooOld = await get(agent.socket, '/v1.12/version');
  assert.equal(tooOld.status, 400);
  assert.match(JSON.parse(tooOld.body).message, /too old\. Minimum supported API version is 1\.24/);
  const versioned = await get(agent.socket, '/v1.41/version');
  assert.equal(JSON.parse(versioned.body).ApiVersion, '1.41');

  const unknown = await get(agent.socket, '/v1.41/swarm/init', 'POST');
  assert.equal(unknown.status, 400, 'not 404: actions answer 400 (a 404 on create would make `docker run` try a pull)');
  assert.deepEqual(JSON.parse(unknown.body), { message: 'berth does not support POST /swarm/init yet' });
  const badQuery = await get(agent.socket, '/images/json?all=maybe');
  assert.equal(badQuery.status, 400);
  assert.match(JSON.parse(badQuery.body).message, /"all" must be a boolean/);
  const badFilter = await get(agent.socket, `/images/json?filters=${encodeURIComponent('{"before":["x"]}')}`);
  assert.equal(badFilter.status, 400);
  assert.match(JSON.parse(badFilter.body).message, /invalid filter 'before'/);

  const started = Date.now();
  const networks = await agent.run(['network', 'ls']);
  t.diagnostic(`docker network ls failed in ${Date.now() - started} ms`);
  assert.notEqual(networks.code, 0);
  assert.match(networks.stderr, /berth does not support GET \/networks yet/);
  const swarm = await agent.run(['service', 'ls']);
  assert.notEqual(swarm.code, 0);
  assert.match(swarm.stderr, /berth does not support GET \/services yet/);
});

test('docker version and docker info (stock CLI and, where installed, the 20.10 client)', async (t) => {
  const agent = await startBerth(t);
  const version = await agent.docker(['version', '--format', '{{.Server.APIVersion}} {{.Server.Os}}/{{.Server.Arch}} {{.Server.Version}}']);
  assert.equal(version.trim(), '1.41 linux/amd64 0.1.0'.replace('amd64', process.arch === 'x64' ? 'amd64' : process.arch));
  const info = JSON.parse(await agent.docker(['info', '--format', '{{json .}}'])) as Record<string, unknown>;
  assert.equal(info.Images, 0);
  assert.equal(info.OSType, 'linux');
  assert.equal(info.DockerRootDir, agent.root);
  assert.deepEqual(info.Swarm, { NodeID: '', NodeAddr: '', LocalNodeState: 'inactive', ControlAvailable: false, Error: '', RemoteManagers: null });
  if (existsSync(DOCKER_20)) {
    const old = await agent.docker(['version'], { cli: DOCKER_20 });
    assert.match(old, /Server: berth 0\.1\.0[\s\S]*API version:\s+1\.41 \(minimum version 1\.24\)/);
    assert.match(await agent.docker(['info'], { cli: DOCKER_20 }), /Server Version: 0\.1\.0/);
  }
});

test('SIGTERM ends event streams at once and cuts a stalled upload after the shutdown timeout', async (t) => {
  const agent = await startBerth(t, { args: ['--shutdown-timeout', '1'] });
  // An event stream, open once its headers arrive.
  const events = await new Promise<IncomingMessage>((resolve, reject) => request({ socketPath: agent.socket, path: '/v1.41/events' }, resolve).on('error', reject).end());
  const eventsEnded = new Promise<void>((resolve) => {
    events.resume();
    events.once('close', resolve);
  });
  // An upload that never finishes; `100 Continue` says the agent is handling it.
  const upload = request({ socketPath: agent.socket, method: 'POST', path: '/v1.41/images/load', headers: { 'Content-Type': 'application/x-tar', Expect: '100-continue' } });
  const uploadFailed = new Promise<string>((resolve) => {
    upload.on('error', (error) => resolve(error.message));
    upload.on('response', (res) => resolve(`status ${res.statusCode}`));
  });
  await new Promise<void>((resolve) => upload.once('continue', resolve));
  upload.write(Buffer.alloc(512));
  const started = Date.now();
  const exit = await agent.stop('SIGTERM');
  const took = Date.now() - started;
  t.diagnostic(`exited ${took} ms after SIGTERM`);
  assert.deepEqual([exit.code, exit.signal], [0, null], exit.stderr);
  assert.ok(took < 5000, `shutdown took ${took} ms`);
  assert.match(exit.stderr, /still running after 1000 ms/);
  assert.match(await uploadFailed, /socket hang up|ECONNRESET|EPIPE/);
  await eventsEnded;
  assert.equal(existsSync(agent.socket), false);
});
