// Test setup for the mount, volume and run-option tests: an agent with busybox and `volimg`
// loaded. `volimg` is busybox plus a VOLUME /data whose directory holds a file owned by 1234
// (for copy-up); it is written as a legacy `docker save` archive by hand, so the image config
// says exactly what the test needs. On the way out: rm -f every container, no mount left under
// the temp root, agent stopped with code 0.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { promisify } from 'node:util';
import { startBerth, type BerthAgent } from '../api/berthServe';
import { makeBusyboxArchive } from '../api/busyboxArchive';
import { makeBusyboxRootfs } from '../image/busyboxRootfs';
import { mountsUnder } from './containerHost';

const run = promisify(execFile);

export interface TestImages {
  busybox: string;
  volimg: string;
}

/** Both archives, made once per test file in `dir`. */
export async function makeTestImages(dir: string): Promise<TestImages> {
  const busybox = (await makeBusyboxArchive(join(dir, 'busybox'))).archive;
  const root = join(dir, 'volimg');
  const rootfs = await makeBusyboxRootfs(join(root, 'rootfs'));
  await writeFile(join(rootfs, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\napp:x:1234:1234:app:/home/app:/bin/sh\n');
  await writeFile(join(rootfs, 'etc', 'group'), 'root:x:0:\napp:x:1234:\n');
  await mkdir(join(rootfs, 'data', 'sub'), { recursive: true });
  await writeFile(join(rootfs, 'data', 'seed.txt'), 'from the image\n');
  await writeFile(join(rootfs, 'data', 'sub', 'deep.txt'), 'deep\n');
  for (const path of ['data', 'data/sub', 'data/seed.txt', 'data/sub/deep.txt']) await chown(join(rootfs, path), 1234, 1234);
  await chmod(join(rootfs, 'data'), 0o750);
  const layer = join(root, 'layer.tar');
  await run('tar', ['--numeric-owner', '-C', rootfs, '-cf', layer, '.']);
  const diffId = `sha256:${createHash('sha256').update(await readFile(layer)).digest('hex')}`;
  const config = JSON.stringify({
    architecture: process.arch === 'x64' ? 'amd64' : process.arch,
    os: 'linux',
    created: '2026-01-01T00:00:00Z',
    config: { Cmd: ['sh'], Volumes: { '/data': {} }, Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'] },
    rootfs: { type: 'layers', diff_ids: [diffId] },
    history: [{ created: '2026-01-01T00:00:00Z', created_by: 'test: busybox with VOLUME /data' }],
  });
  const configName = `${createHash('sha256').update(config).digest('hex')}.json`;
  const out = join(root, 'archive');
  await mkdir(join(out, 'layer'), { recursive: true });
  await writeFile(join(out, configName), config);
  await run('cp', [layer, join(out, 'layer', 'layer.tar')]);
  await writeFile(join(out, 'manifest.json'), JSON.stringify([{ Config: configName, RepoTags: ['volimg:latest'], Layers: ['layer/layer.tar'] }]));
  const volimg = join(root, 'volimg.tar');
  await run('tar', ['-C', out, '-cf', volimg, '.']);
  return { busybox, volimg };
}

/** The agent a test currently talks to, per first agent (restartAgent replaces it). */
const current = new Map<BerthAgent, BerthAgent>();

export async function agentWithImages(t: TestContext, images: TestImages): Promise<BerthAgent> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-mnt-'));
  let first: BerthAgent | undefined;
  // Registered before startBerth's own hook (hooks run in order): the agent must still be up.
  t.after(async () => {
    try {
      const agent = first === undefined ? undefined : current.get(first);
      if (agent !== undefined) {
        const ids = (await agent.docker(['ps', '-aq'])).split('\n').filter((id) => id !== '');
        if (ids.length > 0) await agent.docker(['rm', '-f', ...ids]);
        assert.deepEqual(await mountsUnder(dir), [], 'no mount is left under the temp root');
        const { code } = await agent.stop();
        assert.equal(code, 0);
      }
    } finally {
      if (first !== undefined) current.delete(first);
      if ((await mountsUnder(dir)).length === 0) await rm(dir, { recursive: true, force: true });
    }
  });
  first = await startBerth(t, { dir });
  current.set(first, first);
  await first.docker(['load', '-i', images.busybox]);
  await first.docker(['load', '-i', images.volimg]);
  return first;
}

/** Stops the agent (it must exit 0) and starts a new one on the same root and socket. */
export async function restartAgent(t: TestContext, first: BerthAgent): Promise<BerthAgent> {
  const agent = current.get(first) ?? first;
  const { code, stderr } = await agent.stop();
  assert.equal(code, 0, stderr);
  const next = await startBerth(t, { dir: first.dir });
  current.set(first, next);
  return next;
}

/** `docker run --rm --network none ARGS…`, resolving with stdout (rejects on failure). */
export function runIn(agent: BerthAgent, args: string[]): Promise<string> {
  return agent.docker(['run', '--rm', '--network', 'none', ...args]);
}
