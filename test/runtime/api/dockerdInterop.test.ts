// What `docker save` writes through berth's API loads into a real Docker Engine and runs there.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { dockerdUnavailable, withDockerd } from '../image/dockerd';
import { startBerth, tempDir } from './berthServe';
import { makeBusyboxArchive } from './busyboxArchive';

const skip = dockerdUnavailable() ?? false;

test('an image saved through berth loads into dockerd and runs `echo hi`', { skip, timeout: 180_000 }, async (t) => {
  const work = await tempDir(t, 'berth-api-dockerd-');
  const busybox = await makeBusyboxArchive(work);
  const agent = await startBerth(t);
  await agent.docker(['import', busybox.rootfsTar, 'bb/imported:1']);
  await agent.docker(['load', '-i', busybox.archive]);
  const saved = join(work, 'saved.tar');
  await agent.docker(['save', '-o', saved, 'busybox:latest', 'bb/imported:1']);
  const importedId = (await agent.docker(['image', 'inspect', '--format', '{{.Id}}', 'bb/imported:1'])).trim();

  await withDockerd(async (dockerd) => {
    const started = Date.now();
    const loaded = await dockerd.docker(['load', '-i', saved]);
    assert.match(loaded.stdout, /Loaded image: busybox:latest/);
    assert.match(loaded.stdout, /Loaded image: bb\/imported:1/);
    assert.equal((await dockerd.docker(['image', 'inspect', '--format', '{{.Id}}', 'busybox:latest'])).stdout.trim(), busybox.id);
    assert.equal((await dockerd.docker(['image', 'inspect', '--format', '{{.Id}}', 'bb/imported:1'])).stdout.trim(), importedId);
    for (const image of ['busybox:latest', 'bb/imported:1']) {
      const run = await dockerd.docker(['run', '--rm', '--network', 'none', image, 'echo', 'hi']);
      assert.equal(run.stdout, 'hi\n');
    }
    t.diagnostic(`dockerd load + 2 runs: ${Date.now() - started} ms`);
  });
});
