// Hostile layer archives: every one must either be rejected with an error naming the entry,
// or (for the cases berth resolves inside the root, as Docker does) land inside the target.
// Either way nothing outside the target changes: a sentinel tree beside the target (its
// listing, contents, owners and nanosecond mtimes) is compared before and after, and on
// rejection the target does not exist afterwards.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { applyLayer, applyLayerInPlace, type ApplyLayerOptions } from '../../../runtime/archive/applyLayer';
import { LayerArchiveError } from '../../../runtime/archive/layerErrors';
import { chunked, describeTree, isRoot, tarOf, withTempDir, type FixtureEntry } from './archiveFixtures';

const REJECTED = 'the archive was rejected and nothing was extracted';
/** A name no real system has, for escapes aimed at absolute host paths. */
const UNIQUE = `berth-hostile-${process.pid}-${randomBytes(4).toString('hex')}`;

// Should extraction ever escape, the tests fail on these paths; remove them so the host stays clean.
after(async () => {
  await rm(join('/etc', UNIQUE), { force: true, recursive: true });
  await rm(join('/', UNIQUE), { force: true, recursive: true });
});

/** A parent directory with a canary tree beside where the target will go. */
async function makeSentinel(parent: string): Promise<void> {
  await mkdir(join(parent, 'canary', 'sub'), { recursive: true });
  await writeFile(join(parent, 'canary', 'file'), 'canary\n');
  await writeFile(join(parent, 'canary', 'sub', 'deep'), 'deep canary\n');
  await writeFile(join(parent, 'outside'), 'outside the layer\n');
  await symlink('canary/file', join(parent, 'canary-link'));
  // Fixed old mtimes, so any write would show.
  for (const path of ['canary/file', 'canary/sub/deep', 'outside', 'canary/sub', 'canary']) {
    await utimes(join(parent, path), 1_000_000_000, 1_000_000_000);
  }
}

interface Outcome {
  readonly parent: string;
  readonly target: string;
}

/** Applies `layer`, expects `message`, and checks the sentinel is untouched and no target exists. */
async function expectRejected(
  layer: Buffer | AsyncIterable<Uint8Array>,
  message: string | RegExp,
  options: Partial<ApplyLayerOptions> = {},
): Promise<void> {
  await withTempDir('hostile', async (parent) => {
    await makeSentinel(parent);
    const before = await describeTree(parent, { mtimes: 'exact' });
    const target = join(parent, 'layer');
    const source = Buffer.isBuffer(layer) ? chunked(layer, 4096) : layer;
    await assert.rejects(applyLayer(source, target, { whiteouts: 'overlay', ...options }), (err: unknown) => {
      assert.ok(err instanceof LayerArchiveError, `expected a LayerArchiveError, got ${String(err)}`);
      if (typeof message === 'string') assert.equal(err.message, message);
      else assert.match(err.message, message);
      return true;
    });
    assert.equal(existsSync(target), false, 'the target must not exist after a rejection');
    assert.deepEqual(await describeTree(parent, { mtimes: 'exact' }), before, 'nothing beside the target may change');
    assert.deepEqual((await readdir(parent)).sort(), ['canary', 'canary-link', 'outside'], 'no staging directory is left');
  });
  assert.equal(existsSync(join('/etc', UNIQUE)), false);
  assert.equal(existsSync(join('/', UNIQUE)), false);
}

/** Applies `layer`, expects success, and checks only the target appeared beside the sentinel. */
async function expectContained(entries: readonly FixtureEntry[], check: (outcome: Outcome) => Promise<void>): Promise<void> {
  await withTempDir('contained', async (parent) => {
    await makeSentinel(parent);
    const before = await describeTree(parent, { mtimes: 'exact' });
    const target = join(parent, 'layer');
    await applyLayer(chunked(await tarOf(entries), 4096), target, { whiteouts: 'overlay' });
    const after = await describeTree(parent, { mtimes: 'exact' });
    for (const key of Object.keys(after)) if (key === 'layer' || key.startsWith('layer/')) delete after[key];
    assert.deepEqual(after, before, 'nothing beside the target may change');
    assert.deepEqual((await readdir(parent)).sort(), ['canary', 'canary-link', 'layer', 'outside']);
    await check({ parent, target });
  });
  assert.equal(existsSync(join('/etc', UNIQUE)), false, 'nothing may be written to the host /etc');
  assert.equal(existsSync(join('/', UNIQUE)), false, 'nothing may be written to the host /');
}

const file = (name: string, body = 'x'): FixtureEntry => ({ header: { name, mode: 0o644 }, body });
/** A harmless entry first, so a rejection also has something to clean up. */
const first = file('ok/first.txt', 'extracted before the bad entry');

test('an absolute name is taken relative to the layer root (Docker does the same)', async () => {
  await expectContained([first, file(`/etc/${UNIQUE}`, 'inside')], async ({ target }) => {
    assert.equal(await readFile(join(target, 'etc', UNIQUE), 'utf8'), 'inside');
  });
});

test('"/../x" stops at the root like the kernel\'s "/.."', async () => {
  await expectContained([file(`/../../${UNIQUE}`, 'clamped')], async ({ target }) => {
    assert.equal(await readFile(join(target, UNIQUE), 'utf8'), 'clamped');
  });
});

test('relative names that climb out of the root are rejected', async () => {
  for (const name of ['../escape', '../../escape', 'a/../../escape', './../../../escape', 'a/b/../../../escape']) {
    await expectRejected(await tarOf([first, file(name)]), `layer entry ${JSON.stringify(name)} points outside the layer root; ${REJECTED}`);
  }
});

test('a symlink to / above an entry is followed inside the root only', async () => {
  await expectContained(
    [first, { header: { name: 'link', type: 'symlink', linkname: '/' } }, file(`link/etc/${UNIQUE}`, 'through link')],
    async ({ target }) => {
      assert.equal(await readFile(join(target, 'etc', UNIQUE), 'utf8'), 'through link');
    },
  );
});

test('a symlink to ../.. above an entry stops at the root', async () => {
  await expectContained(
    [first, { header: { name: 'up', type: 'symlink', linkname: '../..' } }, file('up/escape', 'clamped'), file('up/canary/file', 'not the canary')],
    async ({ target }) => {
      assert.equal(await readFile(join(target, 'escape'), 'utf8'), 'clamped');
      assert.equal(await readFile(join(target, 'canary', 'file'), 'utf8'), 'not the canary');
    },
  );
});

test('a symlink chain through absolute and relative targets stays inside', async () => {
  await expectContained(
    [
      { header: { name: 'a', type: 'symlink', linkname: '/b/../../../c' } },
      { header: { name: 'c', type: 'symlink', linkname: '../../d' } },
      file('a/x', 'chained'),
    ],
    async ({ target }) => {
      assert.equal(await readFile(join(target, 'd', 'x'), 'utf8'), 'chained');
    },
  );
});

test('an entry never writes through a symlink at its own name', async () => {
  await expectContained(
    [{ header: { name: 'victim', type: 'symlink', linkname: '../../outside' } }, file('victim', 'replaced the link, not its target')],
    async ({ target }) => {
      assert.equal(await readFile(join(target, 'victim'), 'utf8'), 'replaced the link, not its target');
    },
  );
});

test('a symlink loop above an entry is rejected', async () => {
  await expectRejected(
    await tarOf([first, { header: { name: 'loop', type: 'symlink', linkname: 'loop' } }, file('loop/x')]),
    `layer entry "loop/x" goes through too many symbolic links at "loop"; ${REJECTED}`,
  );
});

test('an entry below a regular file is rejected', async () => {
  await expectRejected(
    await tarOf([first, file('plain'), { header: { name: 'to-plain', type: 'symlink', linkname: 'plain' } }, file('to-plain/x')]),
    `layer entry "to-plain/x" needs "plain" to be a directory, but it is not one; ${REJECTED}`,
  );
});

test('hard links must name a regular file extracted earlier from the layer', async () => {
  const cases: Array<[string, string]> = [
    ['/etc/passwd', 'which is not a regular file extracted earlier from this layer'],
    ['../outside', 'which points outside the layer root'],
    ['../../outside', 'which points outside the layer root'],
    ['ok', 'which is not a regular file extracted earlier from this layer'], // a directory
    ['.', 'which is not a regular file extracted earlier from this layer'],
    ['sym/passwd', 'which is not a regular file extracted earlier from this layer'],
  ];
  for (const [linkname, problem] of cases) {
    await expectRejected(
      await tarOf([first, { header: { name: 'sym', type: 'symlink', linkname: '/etc' } }, { header: { name: 'hard', type: 'link', linkname } }]),
      `layer entry "hard" is a hard link to ${JSON.stringify(linkname)}, ${problem}; ${REJECTED}`,
    );
  }
});

test('nothing but a directory may stand for the root', async () => {
  await expectRejected(
    await tarOf([first, { header: { name: '.', type: 'symlink', linkname: '/' } }]),
    `layer entry "." would replace the layer root itself with a symbolic link; ${REJECTED}`,
  );
  await expectRejected(await tarOf([first, file('.')]), `layer entry "." would replace the layer root itself with a regular file; ${REJECTED}`);
  await expectRejected(
    await tarOf([first, { header: { name: 'a/..', type: 'link', linkname: 'ok/first.txt' } }]),
    `layer entry "a/.." would replace the layer root itself with a hard link; ${REJECTED}`,
  );
});

test('whiteouts that name no file or climb out are rejected, in both modes', async () => {
  for (const whiteouts of ['overlay', 'apply'] as const) {
    await expectRejected(await tarOf([first, file('.wh...')]), `layer entry ".wh..." is a whiteout for "..", which is not a file name; ${REJECTED}`, {
      whiteouts,
    });
    await expectRejected(await tarOf([first, file('dir/.wh..')]), `layer entry "dir/.wh.." is a whiteout for ".", which is not a file name; ${REJECTED}`, {
      whiteouts,
    });
    for (const name of ['../.wh.outside', 'a/../../.wh.outside', '../../.wh..wh..opq']) {
      await expectRejected(await tarOf([first, file(name)]), `layer entry ${JSON.stringify(name)} points outside the layer root; ${REJECTED}`, {
        whiteouts,
      });
    }
  }
});

test('a gzip bomb stops at maxTotalSize without being read to the end', async () => {
  const bomb = gzipSync(await tarOf([{ header: { name: 'zeros', mode: 0o644 }, body: Buffer.alloc(20 * 1024 * 1024) }]), { level: 9 });
  const source = chunked(bomb, 1024);
  await expectRejected(
    source,
    `the layer is larger than the 1048576-byte limit once uncompressed (maxTotalSize); it may be a decompression bomb; ${REJECTED}`,
    { maxTotalSize: 1024 * 1024 },
  );
  assert.ok(source.taken < source.total, `read ${source.taken} of ${source.total} compressed chunks; the cap must stop reading`);
});

test('an entry over maxEntrySize is rejected from its header', async () => {
  await expectRejected(
    await tarOf([first, { header: { name: 'big', mode: 0o644 }, body: Buffer.alloc(10_000) }]),
    `layer entry "big" is 10000 bytes, over the 4096-byte limit for one entry (maxEntrySize); ${REJECTED}`,
    { maxEntrySize: 4096 },
  );
});

test('too many entries are rejected', async () => {
  const entries = Array.from({ length: 11 }, (_, i) => file(`f${i}`));
  await expectRejected(await tarOf(entries), `the layer has more than 10 entries (the maxEntries limit); ${REJECTED}`, { maxEntries: 10 });
});

test('device nodes are refused when devices are not allowed', async () => {
  const why = isRoot ? 'allowDevices is false' : 'berth is not running as root';
  await expectRejected(
    await tarOf([first, { header: { name: 'dev/sda', type: 'block-device', devmajor: 8, devminor: 0, mode: 0o660 } }]),
    `layer entry "dev/sda" is a block device (8:0), and device nodes are not allowed here (${why}); ${REJECTED}`,
    { allowDevices: false },
  );
  await expectRejected(
    await tarOf([first, { header: { name: 'dev/mem', type: 'character-device', devmajor: 1, devminor: 1, mode: 0o640 } }]),
    `layer entry "dev/mem" is a character device (1:1), and device nodes are not allowed here (${why}); ${REJECTED}`,
    { allowDevices: false },
  );
});

test('input that is not a tar, or stops early, is rejected', async () => {
  await expectRejected(Buffer.from('this is not a tar archive'.repeat(40)), /^the layer is not a valid tar archive \(.+\); the archive was rejected and nothing was extracted$/);
  const whole = await tarOf([first, { header: { name: 'cut', mode: 0o644 }, body: Buffer.alloc(5000, 1) }]);
  await expectRejected(whole.subarray(0, 2048), /^the layer is not a valid tar archive \(Unexpected end of data\); /);
  const gzipped = gzipSync(whole);
  await expectRejected(gzipped.subarray(0, gzipped.length - 30), /^the layer's gzip stream could not be decompressed \(unexpected end of file\); /);
});

test('compressions berth cannot read are named', async () => {
  await expectRejected(Buffer.from('BZh91AY&SY'), `the layer is bzip2-compressed, which OCI layers may not be; recompress it with gzip or zstd; ${REJECTED}`);
  const zstdFrame = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x00, 0x00, 0x00]);
  const nodeHasZstd = 'createZstdDecompress' in (await import('node:zlib'));
  await expectRejected(zstdFrame, nodeHasZstd ? /zstd stream could not be decompressed/ : /is zstd-compressed and this Node\.js \(v[\d.]+\) cannot decompress zstd; run berth on Node\.js 22\.15 or later/);
});

test('an existing target is refused and left alone', async () => {
  await withTempDir('exists', async (parent) => {
    const target = join(parent, 'layer');
    await mkdir(target);
    await writeFile(join(target, 'keep'), 'keep');
    await assert.rejects(applyLayer(await tarOf([first]), target, { whiteouts: 'overlay' }), /it already exists; applyLayer creates the directory itself/);
    assert.deepEqual(await readdir(target), ['keep']);
    assert.deepEqual(await readdir(parent), ['layer']);
  });
});

test('in-place application rejects escapes too, and says the tree may be partial', async () => {
  await withTempDir('inplace-hostile', async (parent) => {
    await makeSentinel(parent);
    const target = join(parent, 'tree');
    await mkdir(target);
    const before = await describeTree(parent, { mtimes: 'exact' });
    await assert.rejects(
      applyLayerInPlace(await tarOf([{ header: { name: 'up', type: 'symlink', linkname: '../..' } }, file('up/../../../escape'), file('x')]), target),
      (err: unknown) => {
        assert.ok(err instanceof LayerArchiveError);
        assert.equal(err.entry, 'up/../../../escape');
        assert.equal(
          err.message,
          `layer entry "up/../../../escape" points outside the layer root; the archive was rejected; ${JSON.stringify(target)} may hold part of it and should be discarded`,
        );
        return true;
      },
    );
    const after = await describeTree(parent, { mtimes: 'exact' });
    delete after['tree/up'];
    delete before.tree;
    delete after.tree;
    assert.deepEqual(after, before);
  });
});

test('a source that fails mid-way rejects the archive with its reason', async () => {
  const layer = await tarOf([first, { header: { name: 'big', mode: 0o644 }, body: Buffer.alloc(64 * 1024, 7) }]);
  async function* failing(): AsyncGenerator<Uint8Array> {
    yield layer.subarray(0, 8192);
    throw new Error('connection reset by peer');
  }
  await expectRejected(failing(), `reading the layer failed: connection reset by peer; ${REJECTED}`);
  await expectRejected(gzipSync(layer).subarray(0, 64), /^the layer's gzip stream could not be decompressed \(unexpected end of file\); /);
});
