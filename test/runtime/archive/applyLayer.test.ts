// Extracting well-formed layers: what lands on disk (types, modes, owners, links, times),
// the diff_id, both compressions, and both whiteout modes.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync } from 'node:fs';
import { lstat, mkdir, readFile, readdir, readlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { applyLayer, applyLayerInPlace } from '../../../runtime/archive/applyLayer';
import { offsetIdMapping } from '../../../runtime/archive/idMap';
import { chunked, isRoot, sha256, tarOf, withTempDir, type FixtureEntry } from './archiveFixtures';

const T = (iso: string): Date => new Date(iso);
const LONG_DIR = `deep/${'d'.repeat(120)}`;
const LONG_FILE = `${LONG_DIR}/${'f'.repeat(150)}`;
const LONG_TARGET = `../${'t'.repeat(200)}`;

/** A small but complete root file system layer. */
function sampleTree(): FixtureEntry[] {
  return [
    { header: { name: './', type: 'directory', mode: 0o755, mtime: T('2020-01-01T00:00:00Z') } },
    { header: { name: 'bin/', type: 'directory', mode: 0o755, mtime: T('2020-01-02T00:00:00Z') } },
    { header: { name: 'bin/tool', mode: 0o755, mtime: T('2020-01-03T00:00:00Z') }, body: '#!/bin/sh\necho tool\n' },
    { header: { name: 'bin/suid', mode: 0o4755, mtime: T('2020-01-03T00:00:00Z') }, body: 'setuid' },
    { header: { name: 'bin/sgid', mode: 0o2711, gid: 50, mtime: T('2020-01-03T00:00:00Z') }, body: 'setgid' },
    { header: { name: 'home/user/', type: 'directory', mode: 0o700, uid: 1000, gid: 1000, mtime: T('2020-02-01T00:00:00Z') } },
    { header: { name: 'home/user/notes.txt', mode: 0o600, uid: 1000, gid: 1000, mtime: T('2020-02-02T00:00:00Z') }, body: 'private\n' },
    { header: { name: 'tmp/', type: 'directory', mode: 0o1777, mtime: T('2020-03-01T00:00:00Z') } },
    { header: { name: 'empty/', type: 'directory', mode: 0o750, uid: 7, gid: 8, mtime: T('2020-03-02T00:00:00Z') } },
    { header: { name: 'etc/os-release', mode: 0o644, mtime: T('2020-04-01T00:00:00Z') }, body: 'ID=berth\n' },
    { header: { name: 'etc/alias', type: 'symlink', linkname: 'os-release', uid: 3, gid: 4, mtime: T('2020-04-02T00:00:00Z') } },
    { header: { name: 'etc/absolute', type: 'symlink', linkname: '/etc/os-release' } },
    { header: { name: 'etc/dangling', type: 'symlink', linkname: '/nowhere/at/all' } },
    { header: { name: 'etc/hard', type: 'link', linkname: 'etc/os-release' } },
    { header: { name: 'etc/naïve résumé.txt', mode: 0o644 }, body: 'unicode name\n' },
    { header: { name: LONG_FILE, mode: 0o644 }, body: 'long name via PAX\n' },
    { header: { name: 'deep/long-link', type: 'symlink', linkname: LONG_TARGET } },
    { header: { name: 'precise', mode: 0o644, pax: { mtime: '1000000000.25', uid: '300000', gid: '300001' } }, body: 'pax times' },
    { header: { name: 'run/pipe', type: 'fifo', mode: 0o620 } },
    ...(isRoot ? [{ header: { name: 'dev/null', type: 'character-device', devmajor: 1, devminor: 3, mode: 0o666 } } as FixtureEntry] : []),
  ];
}

async function modeOf(path: string): Promise<number> {
  return (await lstat(path)).mode & 0o7777;
}

async function mtimeOf(path: string): Promise<number> {
  return (await lstat(path)).mtimeMs;
}

test('a normal tree lands with its types, modes, owners, links, long names and times', async () => {
  await withTempDir('apply-normal', async (parent) => {
    const target = join(parent, 'layer');
    const layer = await tarOf(sampleTree());
    const result = await applyLayer(chunked(layer, 1000), target, { whiteouts: 'overlay' });
    assert.equal(result.entries, sampleTree().length);
    assert.equal(result.size, layer.length);
    assert.equal(result.diffId, `sha256:${sha256(layer)}`);

    assert.equal(await modeOf(target), 0o755);
    assert.equal(await readFile(join(target, 'bin/tool'), 'utf8'), '#!/bin/sh\necho tool\n');
    assert.equal(await modeOf(join(target, 'bin/tool')), 0o755);
    assert.equal(await modeOf(join(target, 'bin/suid')), 0o4755, 'setuid is part of the image');
    assert.equal(await modeOf(join(target, 'bin/sgid')), 0o2711);
    assert.equal(await modeOf(join(target, 'home/user')), 0o700);
    assert.equal(await modeOf(join(target, 'home/user/notes.txt')), 0o600);
    assert.equal(await modeOf(join(target, 'tmp')), 0o1777);
    assert.equal(await modeOf(join(target, 'empty')), 0o750);
    assert.deepEqual(await readdir(join(target, 'empty')), []);
    assert.equal(await modeOf(join(target, 'etc')), 0o755, 'an implied parent directory is 0755');

    if (isRoot) {
      const notes = await lstat(join(target, 'home/user/notes.txt'));
      assert.deepEqual([notes.uid, notes.gid], [1000, 1000]);
      const sgid = await lstat(join(target, 'bin/sgid'));
      assert.deepEqual([sgid.uid, sgid.gid], [0, 50]);
      const alias = await lstat(join(target, 'etc/alias'));
      assert.deepEqual([alias.uid, alias.gid], [3, 4], 'a symlink gets its own owner (lchown)');
      const empty = await lstat(join(target, 'empty'));
      assert.deepEqual([empty.uid, empty.gid], [7, 8]);
      const precise = await lstat(join(target, 'precise'));
      assert.deepEqual([precise.uid, precise.gid], [300000, 300001], 'PAX uid/gid beyond the header field');
      const devNull = await lstat(join(target, 'dev/null'));
      assert.ok(devNull.isCharacterDevice());
      assert.equal(devNull.rdev, (1 << 8) | 3);
      assert.equal(devNull.mode & 0o7777, 0o666);
    }

    assert.equal(await readlink(join(target, 'etc/alias')), 'os-release');
    assert.equal(await readlink(join(target, 'etc/absolute')), '/etc/os-release', 'symlink targets are stored as written');
    assert.equal(await readlink(join(target, 'etc/dangling')), '/nowhere/at/all');
    const hard = await lstat(join(target, 'etc/hard'));
    const original = await lstat(join(target, 'etc/os-release'));
    assert.equal(hard.ino, original.ino);
    assert.equal(original.nlink, 2);
    assert.equal(await readFile(join(target, 'etc/naïve résumé.txt'), 'utf8'), 'unicode name\n');
    assert.equal(await readFile(join(target, LONG_FILE), 'utf8'), 'long name via PAX\n');
    assert.equal(await readlink(join(target, 'deep/long-link')), LONG_TARGET);
    assert.ok((await lstat(join(target, 'run/pipe'))).isFIFO());
    assert.equal(await modeOf(join(target, 'run/pipe')), 0o620);

    assert.equal(await mtimeOf(join(target, 'bin/tool')), T('2020-01-03T00:00:00Z').getTime());
    assert.equal(await mtimeOf(join(target, 'etc/alias')), T('2020-04-02T00:00:00Z').getTime(), 'symlink mtimes (lutimes)');
    assert.equal(await mtimeOf(join(target, 'precise')), 1_000_000_000_250, 'PAX sub-second mtime');
    // Directory times are set after their contents were written.
    assert.equal(await mtimeOf(join(target, 'home/user')), T('2020-02-01T00:00:00Z').getTime());
    assert.equal(await mtimeOf(join(target, 'bin')), T('2020-01-02T00:00:00Z').getTime());
    assert.equal(await mtimeOf(target), T('2020-01-01T00:00:00Z').getTime());
  });
});

test('gzip and plain give the same tree and the diff_id of the uncompressed tar', async () => {
  await withTempDir('apply-gzip', async (parent) => {
    const layer = await tarOf(sampleTree());
    const gz = join(parent, 'layer.tar.gz');
    await writeFile(gz, gzipSync(layer));
    const fromStream = await applyLayer(createReadStream(gz), join(parent, 'gz'), { whiteouts: 'overlay' });
    const fromBytes = await applyLayer(layer, join(parent, 'plain'), { whiteouts: 'overlay' });
    assert.equal(fromStream.diffId, `sha256:${sha256(layer)}`);
    assert.deepEqual(fromStream, fromBytes);
    // Directories the tar only implies get the time of extraction, so only their other fields compare.
    const listing = (dir: string): string =>
      execFileSync('find', [dir, '(', '-type', 'd', '-printf', '%P %y %m %U %G\\n', ')', '-o', '-printf', '%P %y %m %U %G %s %l %T@\\n'], {
        encoding: 'utf8',
      })
        .split('\n')
        .sort()
        .join('\n');
    assert.equal(listing(join(parent, 'gz')), listing(join(parent, 'plain')));
  });
});

test('an empty stream is an empty layer', async () => {
  await withTempDir('apply-empty', async (parent) => {
    const result = await applyLayer(Buffer.alloc(0), join(parent, 'layer'), { whiteouts: 'overlay' });
    assert.deepEqual(result, { diffId: `sha256:${sha256(Buffer.alloc(0))}`, size: 0, entries: 0 });
    assert.deepEqual(await readdir(join(parent, 'layer')), []);
  });
});

test('ids go through the id map (rootless: container 0..65535 on host 100000..)', { skip: !isRoot && 'chown needs root' }, async () => {
  await withTempDir('apply-idmap', async (parent) => {
    const target = join(parent, 'layer');
    const mapping = offsetIdMapping(100000, 65536);
    await applyLayer(
      await tarOf([
        { header: { name: 'home/user/', type: 'directory', mode: 0o755, uid: 1000, gid: 1000 } },
        { header: { name: 'home/user/file', mode: 0o644, uid: 1000, gid: 1001 }, body: 'x' },
        { header: { name: 'home/user/link', type: 'symlink', linkname: 'file', uid: 1000, gid: 1000 } },
      ]),
      target,
      { whiteouts: 'overlay', idMap: mapping.toHost },
    );
    const owner = async (path: string): Promise<[number, number]> => {
      const st = await lstat(join(target, path));
      return [st.uid, st.gid];
    };
    assert.deepEqual(await owner(''), [100000, 100000], 'the root of the layer belongs to the mapped root');
    assert.deepEqual(await owner('home'), [100000, 100000], 'implied directories too');
    assert.deepEqual(await owner('home/user'), [101000, 101000]);
    assert.deepEqual(await owner('home/user/file'), [101000, 101001]);
    assert.deepEqual(await owner('home/user/link'), [101000, 101000]);

    await assert.rejects(
      applyLayer(await tarOf([{ header: { name: 'f', uid: 70000 }, body: 'x' }]), join(parent, 'unmapped'), { whiteouts: 'overlay', idMap: mapping.toHost }),
      /^LayerArchiveError: writing layer entry "f" failed: container uid 70000 has no mapping \(mapped container uids: 0-65535\); .*; the archive was rejected and nothing was extracted$/,
    );
  });
});

test("overlay whiteouts: a 0/0 character device and the opaque xattr; the layer's own entries win", { skip: !isRoot && 'whiteouts need root' }, async () => {
  await withTempDir('apply-overlay-wh', async (parent) => {
    const target = join(parent, 'layer');
    await applyLayer(
      await tarOf([
        { header: { name: 'etc/.wh.removed', mode: 0o600 }, body: '' },
        { header: { name: 'var/cache/', type: 'directory', mode: 0o755 } },
        { header: { name: 'var/cache/.wh..wh..opq', mode: 0o600 }, body: '' },
        { header: { name: 'var/cache/fresh', mode: 0o644 }, body: 'new' },
        { header: { name: 'mine', mode: 0o644 }, body: 'kept' },
        { header: { name: '.wh.mine', mode: 0o600 }, body: '' },
        { header: { name: 'implied/.wh..wh..opq', mode: 0o600 }, body: '' },
        { header: { name: 'parent/child', mode: 0o644 }, body: 'ours' },
        { header: { name: '.wh.parent', mode: 0o600 }, body: '' },
      ]),
      target,
      { whiteouts: 'overlay' },
    );
    const removed = await lstat(join(target, 'etc/removed'));
    assert.ok(removed.isCharacterDevice());
    assert.equal(removed.rdev, 0);
    assert.equal(existsSync(join(target, 'etc/.wh.removed')), false, 'the marker itself is not stored');
    const opaque = (dir: string): string =>
      execFileSync('getfattr', ['--only-values', '-h', '-n', 'trusted.overlay.opaque', join(target, dir)], { encoding: 'utf8' });
    assert.equal(opaque('var/cache'), 'y');
    assert.equal(opaque('implied'), 'y');
    assert.equal(existsSync(join(target, 'var/cache/.wh..wh..opq')), false);
    assert.equal(await readFile(join(target, 'var/cache/fresh'), 'utf8'), 'new', 'the opaque marker hides lower layers only');
    assert.equal(await readFile(join(target, 'mine'), 'utf8'), 'kept', "a whiteout does not hide its own layer's entry");
    assert.equal(await readFile(join(target, 'parent/child'), 'utf8'), 'ours');
    assert.equal(opaque('parent'), 'y', 'whiting out a directory this layer fills hides only the lower one');
  });
});

test('apply whiteouts delete from lower layers only, never through symlinks', async () => {
  await withTempDir('apply-apply-wh', async (parent) => {
    const outside = join(parent, 'outside');
    await mkdir(outside);
    await writeFile(join(outside, 'precious'), 'must survive');
    const tree = join(parent, 'rootfs');
    await applyLayer(
      await tarOf([
        { header: { name: 'gone-file', mode: 0o644 }, body: 'lower' },
        { header: { name: 'gone-dir/sub/file', mode: 0o644 }, body: 'lower' },
        { header: { name: 'opq/old', mode: 0o644 }, body: 'lower' },
        { header: { name: 'opq/olddir/x', mode: 0o644 }, body: 'lower' },
        { header: { name: 'real/x', mode: 0o644 }, body: 'lower, reached through a symlink' },
        { header: { name: 'real/y', mode: 0o644 }, body: 'lower' },
        { header: { name: 'sym', type: 'symlink', linkname: '/real' } },
        { header: { name: 'out-link', type: 'symlink', linkname: outside } },
        { header: { name: 'keep/lower', mode: 0o644 }, body: 'lower' },
        { header: { name: 'mixed/lower', mode: 0o644 }, body: 'lower' },
      ]),
      tree,
      { whiteouts: 'apply' },
    );
    const result = await applyLayerInPlace(
      await tarOf([
        { header: { name: '.wh.gone-file', mode: 0o600 }, body: '' },
        { header: { name: '.wh.gone-dir', mode: 0o600 }, body: '' },
        { header: { name: 'opq/', type: 'directory', mode: 0o755 } },
        { header: { name: 'opq/.wh..wh..opq', mode: 0o600 }, body: '' },
        { header: { name: 'opq/new', mode: 0o644 }, body: 'upper' },
        { header: { name: 'sym/.wh.x', mode: 0o600 }, body: '' },
        { header: { name: '.wh.out-link', mode: 0o600 }, body: '' },
        { header: { name: '.wh.never-existed', mode: 0o600 }, body: '' },
        { header: { name: 'keep/mine', mode: 0o644 }, body: 'upper' },
        { header: { name: 'keep/.wh.mine', mode: 0o600 }, body: '' },
        { header: { name: 'mixed/mine', mode: 0o644 }, body: 'upper' },
        { header: { name: '.wh.mixed', mode: 0o600 }, body: '' },
      ]),
      tree,
    );
    assert.equal(result.entries, 12);
    const list = (dir: string): Promise<string[]> => readdir(join(tree, dir)).then((names) => names.sort());
    assert.deepEqual(await list(''), ['keep', 'mixed', 'opq', 'real', 'sym']);
    assert.deepEqual(await list('opq'), ['new'], 'opaque removed the lower contents, kept this layer’s');
    assert.deepEqual(await list('real'), ['y'], 'a whiteout below a symlink deletes inside the root');
    assert.deepEqual(await list('keep'), ['lower', 'mine'], "a whiteout spares its own layer's entry");
    assert.deepEqual(await list('mixed'), ['mine'], 'whiting out a directory keeps what this layer put in it');
    assert.equal(await readFile(join(outside, 'precious'), 'utf8'), 'must survive', 'the symlink was removed, not followed');
    assert.equal(existsSync(join(tree, '.wh.gone-file')), false);
  });
});

test('in apply mode an entry replaces a different type and merges into a directory', async () => {
  await withTempDir('apply-replace', async (parent) => {
    const tree = join(parent, 'rootfs');
    await applyLayer(
      await tarOf([
        { header: { name: 'was-dir/child', mode: 0o644 }, body: 'lower' },
        { header: { name: 'was-file', mode: 0o644 }, body: 'lower' },
        { header: { name: 'merge/', type: 'directory', mode: 0o700 } },
        { header: { name: 'merge/lower', mode: 0o644 }, body: 'lower' },
      ]),
      tree,
      { whiteouts: 'apply' },
    );
    await applyLayerInPlace(
      await tarOf([
        { header: { name: 'was-dir', mode: 0o644 }, body: 'now a file' },
        { header: { name: 'was-file/', type: 'directory', mode: 0o755 } },
        { header: { name: 'merge/', type: 'directory', mode: 0o751 } },
        { header: { name: 'merge/upper', mode: 0o644 }, body: 'upper' },
      ]),
      tree,
    );
    assert.equal(await readFile(join(tree, 'was-dir'), 'utf8'), 'now a file');
    assert.ok((await lstat(join(tree, 'was-file'))).isDirectory());
    assert.deepEqual((await readdir(join(tree, 'merge'))).sort(), ['lower', 'upper']);
    assert.equal(await modeOf(join(tree, 'merge')), 0o751);
  });
});

test('apply mode into a fresh directory treats whiteouts as no-ops', async () => {
  await withTempDir('apply-fresh', async (parent) => {
    const target = join(parent, 'layer');
    await applyLayer(
      await tarOf([
        { header: { name: 'a/.wh.b', mode: 0o600 }, body: '' },
        { header: { name: 'a/.wh..wh..opq', mode: 0o600 }, body: '' },
        { header: { name: 'c', mode: 0o644 }, body: 'c' },
      ]),
      target,
      { whiteouts: 'apply' },
    );
    assert.deepEqual(await readdir(target), ['c'], 'nothing to hide, so not even the directory is made');
  });
});

test('without setfattr, an opaque marker in overlay mode says what to install', async () => {
  await withTempDir('apply-no-attr', async (parent) => {
    const savedPath = process.env.PATH;
    process.env.PATH = join(parent, 'empty-bin');
    try {
      await assert.rejects(
        applyLayer(await tarOf([{ header: { name: 'd/.wh..wh..opq', mode: 0o600 }, body: '' }]), join(parent, 'layer'), { whiteouts: 'overlay' }),
        {
          name: 'LayerArchiveError',
          message:
            'writing layer entry "d/.wh..wh..opq" failed: the "setfattr" command was not found; install it: apt-get install -y attr ' +
            '(the overlay whiteout format needs setfattr/getfattr); the archive was rejected and nothing was extracted',
        },
      );
    } finally {
      process.env.PATH = savedPath;
    }
    assert.deepEqual(await readdir(parent), []);
  });
});
