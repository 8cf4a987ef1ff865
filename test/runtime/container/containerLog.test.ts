// readLog over conmon's k8s-file format: all records or the last N, lines longer than a read
// chunk, partial (P) records, and following a file as it grows until the container is done.
import assert from 'node:assert/strict';
import { appendFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { readLog, type LogRecord } from '../../../runtime/container/containerLog';
import { tempDir } from '../store/helpers';

const line = (n: number, text: string, stream = 'stdout', kind = 'F') => `2026-12-01T08:00:${String(n).padStart(2, '0')}.000000001+00:00 ${stream} ${kind} ${text}\n`;

async function all(source: AsyncIterable<LogRecord>): Promise<string[]> {
  const out: string[] = [];
  for await (const record of source) out.push(`${record.stream}:${record.data.toString()}`);
  return out;
}

test('every record, or only the last N, in order; long and partial lines intact', async (t) => {
  const dir = await tempDir(t, 'berth-log-');
  const path = join(dir, 'container.log');
  const long = 'y'.repeat(200 * 1024);
  await writeFile(path, line(1, 'one') + line(2, 'err', 'stderr') + line(3, 'part', 'stdout', 'P') + line(4, 'ial') + 'not a record\n' + line(5, long));
  assert.deepEqual(await all(readLog(path, { follow: false })), ['stdout:one\n', 'stderr:err\n', 'stdout:part', 'stdout:ial\n', `stdout:${long}\n`]);
  assert.deepEqual(await all(readLog(path, { follow: false, tail: 2 })), ['stdout:ial\n', `stdout:${long}\n`]);
  assert.deepEqual(await all(readLog(path, { follow: false, tail: 0 })), []);
  assert.deepEqual((await all(readLog(path, { follow: false, tail: 99 }))).length, 5);
});

test('following yields what is appended until done, then drains and ends', async (t) => {
  const dir = await tempDir(t, 'berth-log-');
  const path = join(dir, 'container.log');
  await writeFile(path, line(1, 'before'));
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const reader = readLog(path, { follow: true, done })[Symbol.asyncIterator]();
  assert.equal((await reader.next()).value?.data.toString(), 'before\n');
  // The reader has now read all there was: the next record can only come from following.
  const next = reader.next();
  await appendFile(path, line(2, 'after'));
  assert.equal((await next).value?.data.toString(), 'after\n');
  await appendFile(path, line(3, 'last'));
  finish();
  assert.equal((await reader.next()).value?.data.toString(), 'last\n');
  assert.equal((await reader.next()).done, true);
});
