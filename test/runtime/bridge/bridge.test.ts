// The bridge of a real `berth serve`, through a real WebSocket client: who gets in (token,
// Origin, Host), where it listens, JSON-RPC over the engine, events as notifications, and a
// log channel whose slow reader holds the agent back instead of growing its memory.
import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CHANNEL_WINDOW, EVENT_NOTIFICATION, RpcErrorCodes } from '../../../runtime/bridge/protocol';
import { BridgeClient, RpcFailure } from '../../support/bridgeClient';
import { startBerth } from '../api/berthServe';
import { makeBusyboxArchive, type BusyboxArchive } from '../api/busyboxArchive';
import { agentWithBusybox } from '../container/busyboxAgent';
import { prepareContainerHost } from '../container/containerHost';

let busybox: BusyboxArchive;
let imageDir: string;

before(async () => {
  await prepareContainerHost();
  imageDir = await mkdtemp(join(tmpdir(), 'berth-bridge-image-'));
  busybox = await makeBusyboxArchive(imageDir);
});

after(() => rm(imageDir, { recursive: true, force: true }));

async function refusal(url: string, tokenFile: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const error = await BridgeClient.connect(url, tokenFile, headers).then(
    (client) => {
      client.close();
      throw new Error('the connection was accepted');
    },
    (e: { status: number; body: string }) => e,
  );
  return { status: error.status, body: error.body };
}

test('the bridge listens on loopback with a 0600 token file and refuses strangers', async (t) => {
  const agent = await startBerth(t);
  const { bridge, tokenFile } = agent.ready;
  const port = Number(/^ws:\/\/127\.0\.0\.1:(\d+)$/.exec(bridge)?.[1]);
  assert.ok(port > 0, `the ready line names a loopback WebSocket: ${bridge}`);
  const info = await stat(tokenFile);
  assert.equal(info.mode & 0o777, 0o600, 'only the agent\'s user can read the token');
  assert.match(await readFile(tokenFile, 'utf8'), /^[0-9a-f]{64}$/, '256 random bits');
  // Bound to 127.0.0.1 only (/proc/net/tcp: local address 0100007F, state 0A = LISTEN).
  const listening = (await readFile('/proc/net/tcp', 'utf8')).split('\n').filter((line) => line.includes(`:${port.toString(16).toUpperCase().padStart(4, '0')} `) && line.split(/\s+/)[4] === '0A');
  assert.deepEqual(listening.map((line) => line.trim().split(/\s+/)[1]), [`0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`]);

  const emptyToken = join(agent.dir, 'empty-token');
  await import('node:fs/promises').then((fs) => fs.writeFile(emptyToken, 'wrong'));
  assert.deepEqual((await refusal(bridge, emptyToken)).status, 401);
  assert.match((await refusal(bridge, emptyToken)).body, /token is wrong/);
  assert.equal((await refusal(bridge, tokenFile, { Origin: 'http://localhost:8080' })).status, 403, 'a web page cannot connect even with the token');
  assert.equal((await refusal(bridge.replace('127.0.0.1', 'localhost'), tokenFile)).status, 403, 'a Host other than 127.0.0.1:PORT (DNS rebinding) is refused');

  const client = await BridgeClient.connect(bridge, tokenFile);
  t.after(() => client.close());
  const version = await client.request<{ ApiVersion: string; Engine: string }>('system.version');
  assert.equal(version.Engine, 'embedded');
});

test('JSON-RPC over the engine: Docker-shaped results, errors with their status, events as notifications', async (t) => {
  const agent = await agentWithBusybox(t, busybox);
  const client = await BridgeClient.connect(agent.ready.bridge, agent.ready.tokenFile);
  t.after(() => client.close());

  const images = await client.request<{ Id: string; RepoTags: string[] }[]>('images.list');
  assert.deepEqual(images.map((i) => [i.Id, i.RepoTags]), [[busybox.id, ['busybox:latest']]]);

  await client.request('events.subscribe');
  const tagged = new Promise<{ Action: string; Actor: { Attributes: { name: string } } }>((resolve) =>
    client.on('notification', (method: string, params: { Type: string; Action: string; Actor: { Attributes: { name: string } } }) => {
      if (method === EVENT_NOTIFICATION && params.Type === 'image' && params.Action === 'tag') resolve(params);
    }),
  );
  await agent.docker(['tag', 'busybox', 'from-cli:1']); // a change made elsewhere reaches the bridge client
  assert.equal((await tagged).Actor.Attributes.name, 'from-cli:1');

  await assert.rejects(client.request('images.inspect', { ref: 'nothing:here' }), (error: RpcFailure) => error.error.code === RpcErrorCodes.engineError && error.error.data?.status === 404);
  await assert.rejects(client.request('images.inspect', {}), (error: RpcFailure) => error.error.code === RpcErrorCodes.invalidParams && /"ref"/.test(error.message));
  await assert.rejects(client.request('no.such.method'), (error: RpcFailure) => error.error.code === RpcErrorCodes.methodNotFound);

  await agent.docker(['run', '-d', '--name', 'listed', '--network', 'none', 'busybox', 'sleep', '1000']);
  const containers = await client.request<{ Names: string[]; State: string }[]>('containers.list');
  assert.deepEqual(containers.map((c) => [c.Names, c.State]), [[['/listed'], 'running']]);
  await client.request('containers.remove', { ref: 'listed', force: true });
  assert.deepEqual(await client.request('containers.list', { all: true }), []);
});

test('a log channel: a reader that never grants credit gets one window, and the agent does not buffer the rest', async (t) => {
  const agent = await agentWithBusybox(t, busybox);
  const client = await BridgeClient.connect(agent.ready.bridge, agent.ready.tokenFile);
  t.after(() => client.close());
  client.autoCredit = false;
  // 64 MiB of output in 4 KiB lines, then exit.
  const total = 64 * 1024 * 1024;
  const rssIdle = await rss(agent.child.pid!);
  await agent.docker(['run', '-d', '--name', 'chatty', '--network', 'none', 'busybox', 'sh', '-c', `yes "$(head -c 4095 /dev/zero | tr '\\0' x)" | head -c ${total}`]);
  const { channel } = await client.request<{ channel: number }>('containers.logs', { ref: 'chatty', follow: true });
  await client.received(channel, CHANNEL_WINDOW);
  assert.equal((await agent.docker(['wait', 'chatty'])).trim(), '0');
  const rssBefore = await rss(agent.child.pid!);
  // The whole log is on disk now; the agent has sent exactly one window and holds the rest back.
  await client.request('system.version'); // a round trip: anything sent meanwhile has arrived
  assert.equal(client.channel(channel).bytes, CHANNEL_WINDOW);

  client.autoCredit = true;
  client.grant(channel, CHANNEL_WINDOW);
  const data = await client.closed(channel);
  assert.deepEqual(data.closed, { channel });
  assert.equal(data.bytes, total, 'every byte arrives once the reader reads');
  const rssAfter = await rss(agent.child.pid!);
  t.diagnostic(`agent RSS ${rssIdle >> 20} MiB idle, ${rssBefore >> 20} MiB with the reader stalled, ${rssAfter >> 20} MiB after draining`);
  assert.ok(rssBefore - rssIdle < total / 2, `the agent grew by ${(rssBefore - rssIdle) >> 20} MiB while the reader stalled on ${total >> 20} MiB of output`);
});

async function rss(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1]) * 1024;
}
