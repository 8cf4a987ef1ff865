// diffLayer against the real thing: a kernel overlayfs mount whose upper dir records what
// changed. The diff, applied onto a copy of the lower tree, must give exactly the merged view.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFile, chmod, chown, link, lstat, mkdir, readFile, rename, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import * as tar from 'tar-stream';
import { applyLayer, applyLayerInPlace } from '../../../runtime/archive/applyLayer';
import { diffLayer } from '../../../runtime/archive/diffLayer';
import { offsetIdMapping } from '../../../runtime/archive/idMap';
import { collect, describeTree, isRoot, sha256, tarOf, withTempDir, type FixtureEntry } from './archiveFixtures';

const LONG_DIR = `long/${'d'.repeat(200)}`;
const LONG_FILE = `${LONG_DIR}/${'f'.repeat(150)}`;

function lowerLayer(): FixtureEntry[] {
  const at = new Date('2021-06-01T12:00:00Z');
  const file = (name: string, body: string, mode = 0o644): FixtureEntry => ({ header: { name, mode, mtime: at }, body });
  const dir = (name: string, mode = 0o755): FixtureEntry => ({ header: { name, type: 'directory', mode, mtime: at } });
  return [
    dir('bin/'),
    file('bin/tool', '#!/bin/sh\n', 0o755),
    dir('etc/'),
    file('etc/config', 'key=value\n'),
    file('etc/remove-me', 'doomed\n'),
    file('etc/owned', 'owner changes\n'),
    file('etc/old-name', 'renamed\n'),
    file('etc/type-change', 'becomes a directory\n'),
    { header: { name: 'etc/alias', type: 'symlink', linkname: 'config', mtime: at } },
    file('etc/shared', 'hard linked in the lower layer\n'),
    { header: { name: 'etc/shared-too', type: 'link', linkname: 'etc/shared' } },
    dir('opt/'),
    dir('opt/app/'),
    file('opt/app/old-1', 'old app\n'),
    dir('opt/app/lib/'),
    file('opt/app/lib/old-2', 'old lib\n'),
    dir('var/'),
    dir('var/cache/'),
    file('var/cache/blob', 'cache\n'),
    dir('srv/'),
    file('srv/keep', 'untouched\n'),
    file('srv/drop', 'deleted\n'),
  ];
}

/** What a container or build step might do. */
async function change(merged: string): Promise<void> {
  const at = (path: string): string => join(merged, path);
  await writeFile(at('new.txt'), 'brand new\n');
  await link(at('new.txt'), at('new-hard.txt'));
  await mkdir(at('newdir/sub'), { recursive: true });
  await writeFile(at('newdir/sub/file'), 'nested\n');
  await appendFile(at('etc/config'), 'more=1\n');
  await unlink(at('etc/remove-me'));
  await rm(at('opt/app'), { recursive: true });
  await mkdir(at('opt/app'));
  await writeFile(at('opt/app/fresh'), 'new app\n');
  await rm(at('var/cache'), { recursive: true });
  await chmod(at('bin/tool'), 0o700);
  await chown(at('etc/owned'), 1234, 2345);
  await symlink('etc/config', at('link'));
  await unlink(at('etc/alias'));
  await symlink('old-name-gone', at('etc/alias'));
  execFileSync('mkfifo', ['-m', '0640', at('fifo')]);
  await mkdir(at(LONG_DIR), { recursive: true });
  await writeFile(at(LONG_FILE), 'long name\n');
  await rename(at('etc/old-name'), at('etc/new-name'));
  await unlink(at('etc/type-change'));
  await mkdir(at('etc/type-change'));
  await writeFile(at('srv/added'), 'added\n');
  await unlink(at('srv/drop'));
  await writeFile(at('setuid'), 'suid\n');
  await chmod(at('setuid'), 0o4755);
}

async function withOverlay<T>(dir: string, lower: string, body: (merged: string, upper: string) => Promise<T>): Promise<T> {
  const upper = join(dir, 'upper');
  const work = join(dir, 'work');
  const merged = join(dir, 'merged');
  for (const path of [upper, work, merged]) await mkdir(path);
  execFileSync('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${lower},upperdir=${upper},workdir=${work},index=off,redirect_dir=off,metacopy=off`, merged]);
  try {
    return await body(merged, upper);
  } finally {
    try {
      execFileSync('umount', [merged]);
    } catch {
      execFileSync('umount', ['-l', merged]);
    }
  }
}

async function entriesOf(layer: Buffer): Promise<tar.Header[]> {
  const extract = tar.extract();
  const headers: tar.Header[] = [];
  const done = (async () => {
    for await (const entry of extract) {
      headers.push(entry.header);
      entry.resume();
    }
  })();
  extract.end(layer);
  await done;
  return headers;
}

test('an overlay upper dir, diffed and applied onto the lower tree, gives the merged view', { skip: !isRoot && 'mounting overlayfs needs root' }, async () => {
  await withTempDir('diff-overlay', async (dir) => {
    const lowerTar = await tarOf(lowerLayer());
    const lower = join(dir, 'lower');
    await applyLayer(lowerTar, lower, { whiteouts: 'overlay' });

    const { merged, upper } = await withOverlay(dir, lower, async (mergedDir, upperDir) => {
      await change(mergedDir);
      return { merged: await describeTree(mergedDir, { mtimes: 'seconds' }), upper: upperDir };
    });

    // The kernel recorded the deletions the way diffLayer expects.
    const whiteout = await lstat(join(upper, 'etc/remove-me'));
    assert.ok(whiteout.isCharacterDevice() && whiteout.rdev === 0);
    assert.equal(execFileSync('getfattr', ['--only-values', '-n', 'trusted.overlay.opaque', join(upper, 'opt/app')], { encoding: 'utf8' }), 'y');

    const tarBytes = await collect(diffLayer(upper));
    assert.ok(tarBytes.equals(await collect(diffLayer(upper))), 'the same upper dir gives the same bytes');

    const headers = await entriesOf(tarBytes);
    const names = headers.map((h) => h.name);
    assert.equal(names[names.indexOf('opt/app/') + 1], 'opt/app/.wh..wh..opq', 'the opaque marker follows its directory');
    for (const name of ['etc/.wh.remove-me', 'var/.wh.cache', 'etc/.wh.old-name', 'srv/.wh.drop']) assert.ok(names.includes(name), name);
    assert.ok(names.includes(LONG_FILE), 'long names survive (PAX)');
    // Depth first, each directory's children in byte order (whiteouts sort by the name they hide).
    const onDisk = names.filter((n) => !n.endsWith('.wh..wh..opq')).map((n) => n.replace(/\/$/, '').replace(/(^|\/)\.wh\./, '$1'));
    const byComponents = (a: string, b: string): number => {
      const [x, y] = [a.split('/'), b.split('/')];
      for (let i = 0; i < Math.min(x.length, y.length); i++) {
        const order = Buffer.compare(Buffer.from(x[i]), Buffer.from(y[i]));
        if (order !== 0) return order;
      }
      return x.length - y.length;
    };
    assert.deepEqual(onDisk, [...onDisk].sort(byComponents));
    const hard = headers.find((h) => h.name === 'new.txt');
    assert.equal(hard?.type, 'link');
    assert.equal(hard?.linkname, 'new-hard.txt');
    assert.ok(!names.includes('srv/keep'), 'unchanged lower files are not in the diff');

    const copy = join(dir, 'copy');
    await applyLayer(lowerTar, copy, { whiteouts: 'apply' });
    await applyLayerInPlace(tarBytes, copy);
    assert.deepEqual(await describeTree(copy, { mtimes: 'seconds' }), merged);
    assert.equal((await lstat(join(copy, 'new.txt'))).ino, (await lstat(join(copy, 'new-hard.txt'))).ino);
    assert.equal(await readFile(join(copy, 'etc/config'), 'utf8'), 'key=value\nmore=1\n');
  });
});

test('diffLayer output is a layer that applyLayer reads back in overlay form', { skip: !isRoot && 'whiteout devices need root' }, async () => {
  await withTempDir('diff-overlay-form', async (dir) => {
    const upper = join(dir, 'upper');
    await mkdir(join(upper, 'a/b'), { recursive: true });
    await writeFile(join(upper, 'a/b/file'), 'x');
    execFileSync('mknod', [join(upper, 'a/gone'), 'c', '0', '0']);
    execFileSync('setfattr', ['-n', 'trusted.overlay.opaque', '-v', 'y', join(upper, 'a/b')]);
    execFileSync('mknod', ['-m', '0640', join(upper, 'a/tty'), 'c', '4', '64']);
    execFileSync('mknod', ['-m', '0660', join(upper, 'a/disk'), 'b', '259', '65537']);
    execFileSync('mkfifo', [join(upper, 'a/pipe')]);
    const layer = await collect(diffLayer(upper));
    const byName = new Map((await entriesOf(layer)).map((h) => [h.name, h]));
    assert.deepEqual([byName.get('a/tty')?.type, byName.get('a/tty')?.devmajor, byName.get('a/tty')?.devminor], ['character-device', 4, 64]);
    assert.deepEqual([byName.get('a/disk')?.type, byName.get('a/disk')?.devmajor, byName.get('a/disk')?.devminor], ['block-device', 259, 65537]);
    assert.equal(byName.get('a/pipe')?.type, 'fifo');
    assert.equal(byName.get('a/.wh.gone')?.type, 'file');
    const restored = join(dir, 'restored');
    const result = await applyLayer(layer, restored, { whiteouts: 'overlay' });
    assert.equal(result.diffId, `sha256:${sha256(layer)}`);
    const layer2 = await collect(diffLayer(restored));
    assert.ok(layer.equals(layer2), 'upper → tar → snapshot → tar is stable');
  });
});

test('mtimeClamp caps every mtime; the order is sorted and the root is not an entry', async () => {
  await withTempDir('diff-clamp', async (dir) => {
    await mkdir(join(dir, 'z/y'), { recursive: true });
    await writeFile(join(dir, 'z/y/x'), '1');
    await writeFile(join(dir, 'b'), '2');
    await writeFile(join(dir, 'a'), '');
    await symlink('a', join(dir, 'c'));
    const clamp = new Date('2001-01-01T00:00:00Z');
    const headers = await entriesOf(await collect(diffLayer(dir, { mtimeClamp: clamp })));
    assert.deepEqual(
      headers.map((h) => `${h.name} ${h.type}`),
      ['a file', 'b file', 'c symlink', 'z/ directory', 'z/y/ directory', 'z/y/x file'],
    );
    for (const h of headers) assert.equal(h.mtime.getTime(), clamp.getTime(), h.name);
  });
});

test('ids are mapped back to the container through the inverse map', { skip: !isRoot && 'chown needs root' }, async () => {
  await withTempDir('diff-ids', async (dir) => {
    const mapping = offsetIdMapping(100000, 65536);
    await writeFile(join(dir, 'mapped'), 'x');
    await chown(join(dir, 'mapped'), 101000, 101001);
    const headers = await entriesOf(await collect(diffLayer(dir, { idMap: mapping.toContainer })));
    assert.deepEqual([headers[0].uid, headers[0].gid], [1000, 1001]);

    await writeFile(join(dir, 'unmapped'), 'y');
    await chown(join(dir, 'unmapped'), 5, 5);
    await assert.rejects(collect(diffLayer(dir, { idMap: mapping.toContainer })), /archiving ".*\/unmapped" failed: host uid 5 has no mapping/);
  });
});

test('an upper dir that is not a plain diff is refused', { skip: !isRoot && 'trusted xattrs need root' }, async () => {
  await withTempDir('diff-redirect', async (dir) => {
    await mkdir(join(dir, 'moved'));
    execFileSync('setfattr', ['-n', 'trusted.overlay.redirect', '-v', '/elsewhere', join(dir, 'moved')]);
    await assert.rejects(collect(diffLayer(dir)), /has the trusted\.overlay\.redirect xattr, so the upper dir is not a plain diff; mount the overlay with index=off,redirect_dir=off,metacopy=off/);
  });
  await assert.rejects(collect(diffLayer('/nonexistent/berth/upper')), /cannot diff "\/nonexistent\/berth\/upper": ENOENT/);
});
