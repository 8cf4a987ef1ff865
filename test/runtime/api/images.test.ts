// The image half of the Docker API, driven by the stock docker CLI over berth's socket: load,
// images, inspect, history, tag, rmi, prune, save (into a fresh berth), import, events.
import assert from 'node:assert/strict';
import { createReadStream, existsSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test, type TestContext } from 'node:test';
import { BERTH, DOCKER, DOCKER_20, startBerth, tempDir, type BerthAgent } from './berthServe';
import { makeBusyboxArchive, type BusyboxArchive } from './busyboxArchive';

async function fixture(t: TestContext): Promise<{ agent: BerthAgent; busybox: BusyboxArchive; work: string }> {
  const work = await tempDir(t, 'berth-api-images-');
  const busybox = await makeBusyboxArchive(work);
  const agent = await startBerth(t);
  return { agent, busybox, work };
}

test('docker load, images, inspect and history', async (t) => {
  const { agent, busybox } = await fixture(t);
  let started = Date.now();
  const loaded = await agent.docker(['load', '-i', busybox.archive]);
  t.diagnostic(`docker load: ${Date.now() - started} ms`);
  assert.equal(loaded, 'Loaded image: busybox:latest\n');

  started = Date.now();
  const table = await agent.docker(['images']);
  t.diagnostic(`docker images: ${Date.now() - started} ms`);
  assert.match(table, /^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE\n/);
  assert.match(table, new RegExp(`\\nbusybox\\s+latest\\s+${busybox.id.slice(7, 19)}\\s`));
  assert.equal(await agent.docker(['images', '-q']), `${busybox.id.slice(7, 19)}\n`);
  assert.equal(await agent.docker(['images', '-a', '--format', '{{.Repository}}:{{.Tag}}']), 'busybox:latest\n');
  assert.equal(await agent.docker(['images', '--filter', 'reference=busy*', '--format', '{{.Repository}}']), 'busybox\n');
  assert.equal(await agent.docker(['images', '--filter', 'reference=nothing*', '-q']), '');
  assert.equal(await agent.docker(['images', '--filter', 'dangling=true', '-q']), '');

  assert.equal((await agent.docker(['image', 'inspect', '--format', '{{.Id}}', 'busybox:latest'])).trim(), busybox.id);
  const [inspect] = JSON.parse(await agent.docker(['image', 'inspect', 'busybox'])) as { RepoTags: string[]; Os: string; RootFS: { Type: string; Layers: string[] } }[];
  assert.deepEqual(inspect.RepoTags, ['busybox:latest']);
  assert.equal(inspect.Os, 'linux');
  assert.equal(inspect.RootFS.Layers.length, 1);
  // By ID and by short ID, as Docker resolves them.
  assert.equal((await agent.docker(['image', 'inspect', '--format', '{{.Id}}', busybox.id.slice(7, 19)])).trim(), busybox.id);

  const history = await agent.docker(['history', '--no-trunc', '--format', '{{.ID}}|{{.CreatedBy}}', 'busybox:latest']);
  assert.equal(history, `${busybox.id}|berth import\n`);

  const missing = await agent.run(['image', 'inspect', 'nope:1']);
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /No such image: nope:1/);

  // `docker inspect` tries containers first; berth's 404 for those makes it go on to images.
  assert.equal((await agent.docker(['inspect', '--format', '{{.Id}}', 'busybox'])).trim(), busybox.id);

  if (existsSync(DOCKER_20)) {
    assert.match(await agent.docker(['images'], { cli: DOCKER_20 }), /\nbusybox\s+latest\s/);
    assert.equal(await agent.docker(['tag', 'busybox', 'old/cli:1'], { cli: DOCKER_20 }), '');
    assert.equal(await agent.docker(['rmi', 'old/cli:1'], { cli: DOCKER_20 }), 'Untagged: old/cli:1\n');
    assert.equal((await agent.docker(['image', 'inspect', '--format', '{{.Id}}', 'busybox'], { cli: DOCKER_20 })).trim(), busybox.id);
  }
});

test('docker tag, rmi and image prune print what Docker prints', async (t) => {
  const { agent, busybox } = await fixture(t);
  await agent.docker(['load', '-i', busybox.archive]);
  assert.equal(await agent.docker(['tag', 'busybox:latest', 'me/bb:1']), '');
  await agent.docker(['tag', 'busybox', '127.0.0.1:5000/a/b:t']);
  assert.deepEqual(JSON.parse(await agent.docker(['image', 'inspect', '--format', '{{json .RepoTags}}', '127.0.0.1:5000/a/b:t'])), ['busybox:latest', 'me/bb:1', '127.0.0.1:5000/a/b:t']);

  assert.equal(await agent.docker(['rmi', 'me/bb:1']), 'Untagged: me/bb:1\n');
  const bad = await agent.run(['tag', 'busybox', 'me/Upper:1']);
  assert.notEqual(bad.code, 0);
  const reserved = await agent.run(['tag', 'busybox', 'io.berth/untagged:x']);
  assert.notEqual(reserved.code, 0);
  assert.match(reserved.stderr, /reserved for berth/);
  const byId = await agent.run(['rmi', busybox.id.slice(7, 19)]);
  assert.notEqual(byId.code, 0);
  assert.match(byId.stderr, /image is referenced in multiple repositories/);
  assert.equal(await agent.docker(['rmi', '127.0.0.1:5000/a/b:t']), 'Untagged: 127.0.0.1:5000/a/b:t\n');
  assert.equal(await agent.docker(['rmi', 'busybox']), `Untagged: busybox:latest\nDeleted: ${busybox.id}\n`);
  assert.equal(await agent.docker(['images', '-q']), '');
  const gone = await agent.run(['rmi', 'busybox']);
  assert.notEqual(gone.code, 0);
  assert.match(gone.stderr, /No such image: busybox:latest/);

  // An untagged import is dangling: `prune` removes it; `prune -a` removes the rest.
  await agent.docker(['load', '-i', busybox.archive]);
  const untagged = (await agent.docker(['import', busybox.rootfsTar])).trim();
  assert.match(untagged, /^sha256:[0-9a-f]{64}$/);
  assert.equal(await agent.docker(['images', '--filter', 'dangling=true', '-q', '--no-trunc']), `${untagged}\n`);
  const pruned = await agent.docker(['image', 'prune', '-f']);
  assert.match(pruned, new RegExp(`Deleted Images:\\ndeleted: ${untagged}\\n`));
  assert.match(pruned, /Total reclaimed space: /);
  const all = await agent.docker(['image', 'prune', '-a', '-f']);
  assert.match(all, new RegExp(`untagged: busybox:latest\\ndeleted: ${busybox.id}\\n`));
  assert.equal(await agent.docker(['images', '-q']), '');
});

test('docker save writes archives that load into a fresh berth; docker import and berth import', async (t) => {
  const { agent, busybox, work } = await fixture(t);
  await agent.docker(['load', '-i', busybox.archive]);
  await agent.docker(['tag', 'busybox', 'me/bb:1']);
  const one = join(work, 'one.tar');
  const two = join(work, 'two.tar');
  let started = Date.now();
  await agent.docker(['save', 'busybox:latest', '-o', one]);
  t.diagnostic(`docker save: ${Date.now() - started} ms`);
  await agent.docker(['save', '-o', two, 'busybox:latest', 'me/bb:1']);
  const missing = await agent.run(['save', '-o', join(work, 'x.tar'), 'nope']);
  assert.notEqual(missing.code, 0);

  const fresh = await startBerth(t);
  assert.equal(await fresh.docker(['load', '-i', one]), 'Loaded image: busybox:latest\n');
  assert.equal(await fresh.docker(['load', '-i', two]), 'Loaded image: busybox:latest\nLoaded image: me/bb:1\n');
  assert.equal((await fresh.docker(['image', 'inspect', '--format', '{{.Id}}', 'me/bb:1'])).trim(), busybox.id);
  const broken = await fresh.run(['load', '-i', busybox.rootfsTar]);
  assert.notEqual(broken.code, 0, 'a rootfs tar is not an image archive');

  started = Date.now();
  const imported = (await agent.docker(['import', '-m', 'from a test', busybox.rootfsTar, 'imported:1'])).trim();
  t.diagnostic(`docker import: ${Date.now() - started} ms`);
  assert.match(imported, /^sha256:[0-9a-f]{64}$/);
  assert.equal((await agent.docker(['image', 'inspect', '--format', '{{.Id}} {{.Comment}}', 'imported:1'])).trim(), `${imported} from a test`);
  const viaStdin = (await agent.docker(['import', '-', 'stdin/img'], { stdin: createReadStream(busybox.rootfsTar) })).trim();
  assert.equal((await agent.docker(['image', 'inspect', '--format', '{{.Id}}', 'stdin/img:latest'])).trim(), viaStdin);
  const withChange = await agent.run(['import', '--change', 'CMD ["sh"]', busybox.rootfsTar, 'x:1']);
  assert.notEqual(withChange.code, 0);
  assert.match(withChange.stderr, /does not support `docker import --change` yet/);

  const cli = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [BERTH, 'import', busybox.rootfsTar, 'cli/img:2'], { env: agent.env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
  assert.equal(cli.code, 0, cli.stderr);
  assert.equal(cli.stdout.trim(), (await agent.docker(['image', 'inspect', '--format', '{{.Id}}', 'cli/img:2'])).trim());
});

test('docker events streams image events as they happen', async (t) => {
  const { agent, busybox } = await fixture(t);
  await agent.docker(['load', '-i', busybox.archive]);
  // `--since` makes the agent replay what happened between that moment and the subscription,
  // so the tag below is seen whether or not the stream was open yet, with no waiting.
  const since = String(Math.floor(Date.now() / 1000) - 1);
  const events = spawn(DOCKER, ['events', '--since', since, '--filter', 'type=image', '--format', '{{json .}}'], { env: agent.env, stdio: ['ignore', 'pipe', 'inherit'] });
  t.after(() => events.kill());
  const lines = createInterface({ input: events.stdout });
  const received: Record<string, unknown>[] = [];
  const waitFor = (action: string): Promise<Record<string, unknown>> =>
    new Promise((resolve) => {
      const found = received.find((e) => e.Action === action);
      if (found !== undefined) return resolve(found);
      const onLine = (): void => {
        const hit = received.find((e) => e.Action === action);
        if (hit !== undefined) {
          lines.off('line', onLine);
          resolve(hit);
        }
      };
      lines.on('line', onLine);
    });
  lines.on('line', (line) => received.push(JSON.parse(line) as Record<string, unknown>));
  await agent.docker(['tag', 'busybox', 'me/events:1']);
  const tag = await waitFor('tag');
  assert.equal(tag.Type, 'image');
  assert.equal(tag.status, 'tag');
  assert.equal(tag.id, busybox.id);
  assert.deepEqual(tag.Actor, { ID: busybox.id, Attributes: { name: 'me/events:1' } });
  assert.equal(tag.scope, 'local');
  assert.equal(typeof tag.timeNano, 'number');
  await agent.docker(['rmi', 'me/events:1']);
  assert.deepEqual((await waitFor('untag')).Actor, { ID: busybox.id, Attributes: { name: 'me/events:1' } });

  assert.equal((await waitFor('load')).id, busybox.id);

  // `--until` ends the stream (the CLI sends whole seconds, so the next one covers the tag).
  const until = String(Math.floor(Date.now() / 1000) + 1);
  const past = await agent.docker(['events', '--since', since, '--until', until, '--filter', 'event=tag', '--format', '{{.Action}} {{.Actor.Attributes.name}}']);
  assert.equal(past, 'tag me/events:1\n');
});
