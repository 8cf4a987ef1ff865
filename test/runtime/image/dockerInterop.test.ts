// berth's image archives against a real Docker Engine (dockerd 20.10 from Debian's docker.io):
// what `docker save` writes, berth loads; what berth saves, `docker load` accepts and runs.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { test, type TestContext } from 'node:test';
import { resolveImage, summarizeImage } from '../../../runtime/image/imageInfo';
import { importRootfs } from '../../../runtime/image/importRootfs';
import { loadArchive } from '../../../runtime/image/loadArchive';
import { saveArchive } from '../../../runtime/image/saveArchive';
import { MediaTypes } from '../../../runtime/store/mediaTypes';
import { tempDir } from '../store/helpers';
import { makeBusyboxRootfs } from './busyboxRootfs';
import { dockerdUnavailable, withDockerd } from './dockerd';
import { tempStore } from './imageFixtures';

const skip = dockerdUnavailable() ?? false;

/** `tar -C dir -c .` as a stream, as in `tar -C rootfs -c . | docker import - …`. */
function tarOfDirectory(dir: string): Readable {
  const child = spawn('tar', ['-C', dir, '-c', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
  return child.stdout;
}

async function busybox(t: TestContext): Promise<string> {
  return makeBusyboxRootfs(join(await tempDir(t, 'berth-rootfs-'), 'rootfs'));
}

test('an archive from `docker save` loads into berth with its tag, ID and diff_ids', { skip, timeout: 180_000 }, async (t) => {
  const rootfs = await busybox(t);
  const work = await tempDir(t, 'berth-save-');
  const { store, index } = await tempStore(t);
  await withDockerd(async (dockerd) => {
    const started = Date.now();
    await dockerd.docker(['import', '-', 'busybox:local'], { stdin: tarOfDirectory(rootfs) });
    const archive = join(work, 'busybox.tar');
    await dockerd.docker(['save', 'busybox:local', '-o', archive]);
    const inspect = JSON.parse((await dockerd.docker(['image', 'inspect', 'busybox:local'])).stdout) as { Id: string; RootFS: { Layers: string[] }; Size: number }[];
    t.diagnostic(`docker import + save: ${Date.now() - started} ms`);

    const lines: string[] = [];
    const result = await loadArchive(store, index, createReadStream(archive), { onProgress: (l) => lines.push(l) });
    assert.deepEqual(lines, ['Loaded image: busybox:local']);
    assert.deepEqual(result.loaded.map((l) => [l.ref, l.id]), [['docker.io/library/busybox:local', inspect[0].Id]]);

    const image = await resolveImage(store, index, 'busybox:local');
    assert.equal(image.id, inspect[0].Id);
    assert.deepEqual(image.config.rootfs.diff_ids, inspect[0].RootFS.Layers);
    assert.deepEqual(image.manifest.layers.map((l) => [l.mediaType, l.digest]), [[MediaTypes.ociLayer, inspect[0].RootFS.Layers[0]]]);
    const summary = summarizeImage(image);
    assert.equal(summary.sizeIsExact, true);
    t.diagnostic(`size: berth ${summary.size} bytes (uncompressed layer tar), docker ${inspect[0].Size} bytes (unpacked files)`);
  });
});

test('an archive from berth saveArchive loads into `docker load` and runs', { skip, timeout: 180_000 }, async (t) => {
  const rootfs = await busybox(t);
  const { store, index } = await tempStore(t);
  const imported = await importRootfs(store, index, tarOfDirectory(rootfs), 'busybox:berth');
  await withDockerd(async (dockerd) => {
    const started = Date.now();
    const loaded = await dockerd.docker(['load'], { stdin: await saveArchive(store, index, ['busybox:berth']) });
    assert.match(loaded.stdout, /Loaded image: busybox:berth/);
    const id = (await dockerd.docker(['image', 'inspect', '--format', '{{.Id}}', 'busybox:berth'])).stdout.trim();
    assert.equal(id, imported.id, 'Docker computes the same image ID');
    const run = await dockerd.docker(['run', '--rm', '--network', 'none', 'busybox:berth', 'echo', 'hi']);
    assert.equal(run.stdout, 'hi\n');
    t.diagnostic(`docker load + run: ${Date.now() - started} ms`);
  });
});
