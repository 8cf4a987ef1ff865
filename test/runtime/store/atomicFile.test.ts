import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeFileAtomic, writeJsonAtomic } from '../../../runtime/store/atomicFile';
import { entries, tempDir } from './helpers';

test('writeFileAtomic creates and replaces a file and leaves no temp file', async (t) => {
  const dir = await tempDir(t);
  const target = join(dir, 'f');
  await writeFileAtomic(target, 'one');
  await writeFileAtomic(target, new Uint8Array([116, 119, 111]));
  assert.equal(await readFile(target, 'utf8'), 'two');
  assert.deepEqual(await entries(dir), ['f']);
});

test('writeJsonAtomic writes JSON with a newline, and refuses a value with no JSON form', async (t) => {
  const dir = await tempDir(t);
  const target = join(dir, 'x.json');
  await writeJsonAtomic(target, { a: [1, 'b'] });
  assert.equal(await readFile(target, 'utf8'), '{"a":[1,"b"]}\n');
  await assert.rejects(writeJsonAtomic(target, undefined), /no JSON form/);
  assert.deepEqual(await entries(dir), ['x.json']);
});

test('the temp file can live in another directory of the same filesystem', async (t) => {
  const dir = await tempDir(t);
  await mkdir(join(dir, 'tmp'));
  await writeJsonAtomic(join(dir, 'index.json'), [1], { tempDir: join(dir, 'tmp') });
  assert.deepEqual(await entries(dir), ['index.json', 'tmp']);
  assert.deepEqual(await entries(join(dir, 'tmp')), []);
});

test('a failed write removes its temp file and keeps the old content', async (t) => {
  const dir = await tempDir(t);
  const target = join(dir, 'f');
  await writeFileAtomic(target, 'old');
  // Renaming a file over a non-empty directory fails after the temp file is written.
  const blocked = join(dir, 'blocked');
  await mkdir(join(blocked, 'child'), { recursive: true });
  await assert.rejects(writeFileAtomic(blocked, 'new'));
  assert.deepEqual(await entries(dir), ['blocked', 'f']);
  assert.equal(await readFile(target, 'utf8'), 'old');
});

test('concurrent readers only ever see a whole version', async (t) => {
  const dir = await tempDir(t);
  const target = join(dir, 'big.json');
  const version = (n: number) => ({ n, pad: String(n).repeat(200_000) });
  await writeJsonAtomic(target, version(0));
  let writing = true;
  const writer = (async () => {
    for (let n = 1; n <= 30; n++) await writeJsonAtomic(target, version(n));
    writing = false;
  })();
  let reads = 0;
  while (writing) {
    const doc = JSON.parse(await readFile(target, 'utf8')) as { n: number; pad: string };
    assert.equal(doc.pad, String(doc.n).repeat(200_000));
    reads++;
  }
  await writer;
  assert.ok(reads > 0);
  assert.deepEqual(await entries(dir), ['big.json']);
});
