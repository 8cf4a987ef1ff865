// Crash safety: a child process ingests blobs and updates the index as fast as it can, with
// several operations in flight, and is SIGKILLed at a random moment. After every kill the store
// must be consistent: index.json parses, every file in blobs/ is complete and matches its name,
// every name points at a stored blob, and the left-overs in ingest/ can be cleaned.
// (SIGKILL tests atomicity; fsync's durability against power loss cannot be tested this way.)
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { ContentStore } from '../../../runtime/store/contentStore';
import { sha256Of } from '../../../runtime/store/digest';
import { ImageIndex } from '../../../runtime/store/imageIndex';
import { tempDir } from './helpers';

const ROUNDS = 20;
const TIME_BUDGET_MS = 90_000;
const STORE_DIR = resolve(__dirname, '../../../runtime/store');

const CHILD = `
const { randomBytes } = require('node:crypto');
const { ContentStore } = require(${JSON.stringify(join(STORE_DIR, 'contentStore.ts'))});
const { ImageIndex } = require(${JSON.stringify(join(STORE_DIR, 'imageIndex.ts'))});
const root = process.env.BERTH_CRASH_ROOT;
const round = Number(process.env.BERTH_CRASH_ROUND);
async function* chunks(data) {
  for (let offset = 0; offset < data.length; offset += 16384) yield data.subarray(offset, offset + 16384);
}
async function worker(store, index, id) {
  for (let n = 0; ; n++) {
    const data = randomBytes(1 + Math.floor(Math.random() * 512 * 1024));
    const expected = n % 2 ? { digest: 'sha256:' + require('node:crypto').createHash('sha256').update(data).digest('hex'), size: data.length } : undefined;
    const info = await store.ingest(chunks(data), expected);
    if (n % 3 === 0) await store.put(data); // the same blob again: the dedupe path
    const name = 'crash/img' + ((round * 7 + id * 13 + n) % 40) + ':w' + id;
    await index.set(name, { mediaType: 'application/octet-stream', digest: info.digest, size: info.size });
    if (n % 5 === 4) await index.delete('crash/img' + ((n * 3) % 40) + ':w' + id);
    if (id === 0 && n === 0) process.stdout.write('ready\\n');
  }
}
(async () => {
  const store = await ContentStore.open(root);
  const index = new ImageIndex(root);
  await Promise.all([0, 1, 2].map((id) => worker(store, index, id)));
})().catch((error) => {
  process.stderr.write(String(error && error.stack || error));
  process.exit(1);
});
`;

/** Runs the child until it has done real work, then kills it after a random extra delay. */
function runAndKill(root: string, round: number): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', CHILD], {
      env: { ...process.env, BERTH_CRASH_ROOT: root, BERTH_CRASH_ROUND: String(round) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let killed = false;
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      if (killed || !chunk.toString().includes('ready')) return;
      killed = true;
      // The random moment: 0-80 ms into a stream of ingests and index writes.
      setTimeout(() => child.kill('SIGKILL'), Math.floor(Math.random() * 80));
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolvePromise();
      else reject(new Error(`round ${round}: the child exited on its own (code ${code}): ${stderr}`));
    });
  });
}

async function checkConsistent(root: string, round: number): Promise<{ blobs: number; names: number; leftovers: number }> {
  const store = await ContentStore.open(root);
  const names = await new ImageIndex(root).list(); // throws if index.json is torn
  const files = await readdir(store.blobsDir);
  for (const file of files) {
    assert.match(file, /^[0-9a-f]{64}$/, `round ${round}: only complete blobs are in blobs/, found ${file}`);
    const bytes = await readFile(join(store.blobsDir, file));
    assert.equal(sha256Of(bytes), `sha256:${file}`, `round ${round}: blob ${file} is complete and matches its digest`);
  }
  for (const record of names) {
    const info = await store.info(record.descriptor.digest);
    assert.equal(info?.size, record.descriptor.size, `round ${round}: ${record.name} points at a stored blob`);
  }
  const leftovers = await store.cleanIngests(0);
  assert.deepEqual(await readdir(store.ingestDir), []);
  return { blobs: files.length, names: names.length, leftovers: leftovers.length };
}

test(`crash safety: ${ROUNDS} rounds of SIGKILL during ingests and index updates`, { timeout: TIME_BUDGET_MS + 30_000 }, async (t) => {
  const root = await tempDir(t, 'berth-crash-');
  const started = Date.now();
  let rounds = 0;
  let last = { blobs: 0, names: 0, leftovers: 0 };
  let leftoversSeen = 0;
  for (let round = 0; round < ROUNDS && Date.now() - started < TIME_BUDGET_MS; round++) {
    await runAndKill(root, round);
    last = await checkConsistent(root, round);
    leftoversSeen += last.leftovers;
    rounds++;
  }
  t.diagnostic(`${rounds} rounds in ${Date.now() - started} ms; ${last.blobs} blobs, ${last.names} names; ${leftoversSeen} ingest left-overs cleaned`);
  assert.ok(rounds >= 5, `only ${rounds} rounds fit in the time budget`);
  assert.ok(last.names > 0 && last.blobs > 0, 'the child made progress');
});
