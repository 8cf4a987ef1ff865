// `berth check` through the built CLI: consistent store → exit 0; a damaged one → exit 1 with
// each problem and what to do; a directory that is no berth root → a clear error.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { importRootfs } from '../../../runtime/image/importRootfs';
import { ContentStore } from '../../../runtime/store/contentStore';
import { ImageIndex } from '../../../runtime/store/imageIndex';
import { parseManifest } from '../../../runtime/store/manifest';
import { BERTH, checkBundle } from '../api/berthServe';
import { rootfsTar } from '../image/imageFixtures';
import { tempDir } from './helpers';

function berthCheck(root: string): Promise<{ code: number; stdout: string; stderr: string }> {
  checkBundle();
  return new Promise((resolve) => {
    execFile(process.execPath, [BERTH, 'check', '--root', root], { encoding: 'utf8' }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr });
    });
  });
}

test('berth check passes a consistent store and names what is wrong in a damaged one', async (t) => {
  const root = await tempDir(t, 'berth-check-');
  const layout = join(root, 'images');
  const store = await ContentStore.open(layout);
  const index = new ImageIndex(layout);
  const result = await importRootfs(store, index, Readable.from([await rootfsTar()]), 'example/app:1');
  assert.deepEqual(await berthCheck(root), { code: 0, stdout: '1 names, 3 blobs: consistent\n', stderr: '' });

  const parsed = parseManifest(await store.readBytes(result.manifest.digest), result.manifest.mediaType);
  assert.equal(parsed.kind, 'manifest');
  const layer = parsed.kind === 'manifest' ? parsed.manifest.layers[0].digest : '';
  await writeFile(store.path(layer as `sha256:${string}`), 'garbage');
  const damaged = await berthCheck(root);
  assert.equal(damaged.code, 1);
  assert.match(damaged.stdout, new RegExp(`^problem: blob ${layer}: `, 'm'));
  assert.match(damaged.stdout, /^problem: image docker\.io\/example\/app:1: /m);
  assert.match(damaged.stdout, /2 problems\nRemove the images named above/);
});

test('berth check on a directory without a store says which --root to pass', async (t) => {
  const root = await tempDir(t, 'berth-check-empty-');
  const result = await berthCheck(root);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /holds no berth image store .* pass the --root the agent uses/);
});
