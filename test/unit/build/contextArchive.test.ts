// The context tar → directory + tarsums, checked against the sums dockerd printed for the same
// entries (`COPY file:2cc6… in /c1`, `COPY dir:62eb… in /d/`).
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { pack } from 'tar-stream';
import { unpackContext } from '../../../runtime/build/contextArchive';
import { resolveCopySources } from '../../../runtime/build/copySources';

async function dir(t: TestContext): Promise<string> {
  const path = await mkdtemp(join(tmpdir(), 'berth-context-'));
  t.after(() => rm(path, { recursive: true, force: true }));
  return path;
}

function archive(entries: { name: string; type?: 'file' | 'directory' | 'symlink'; mode: number; body?: string; linkname?: string }[]): AsyncIterable<Buffer> {
  const p = pack();
  for (const e of entries) {
    const header = { name: e.name, type: e.type ?? 'file', mode: e.mode, uid: 0, gid: 0, mtime: new Date(0), linkname: e.linkname };
    if (e.body !== undefined) p.entry({ ...header, size: Buffer.byteLength(e.body) }, e.body);
    else p.entry(header);
  }
  p.finalize();
  return p as unknown as AsyncIterable<Buffer>;
}

describe('unpackContext', () => {
  it('unpacks files, directories and links and keeps Docker’s per-entry sums', async (t) => {
    const into = await dir(t);
    const sums = await unpackContext(archive([
      { name: 'a.txt', mode: 0o644, body: 'hi\n' },
      { name: 'd/', type: 'directory', mode: 0o755 },
      { name: 'd/sub/', type: 'directory', mode: 0o755 },
      { name: 'd/sub/f', mode: 0o644, body: 'x\n' },
      { name: 'up', type: 'symlink', mode: 0o777, linkname: '../../a.txt' },
    ]), into);
    assert.equal(sums.get('a.txt'), '2cc6f75217b6d0ad0246a0f00e7bb3296d332db51dc16a22ce490430905d8d80');
    assert.equal(await readFile(join(into, 'd', 'sub', 'f'), 'utf8'), 'x\n');
    assert.equal(await readlink(join(into, 'up')), '../../a.txt');
    const d = await resolveCopySources(into, ['d'], '/d/', 'COPY', 1, { sums });
    assert.equal(d.hash, 'dir:62eb204bbaa0857ed24e38d30f383bfa2cbf3aad9771cd8d226b3e4c1b847219');
    const up = await resolveCopySources(into, ['up'], '/x', 'COPY', 1, { sums });
    assert.equal(up.hash, 'file:2cc6f75217b6d0ad0246a0f00e7bb3296d332db51dc16a22ce490430905d8d80');
  });

  it('refuses entries outside the context', async (t) => {
    await assert.rejects(unpackContext(archive([{ name: '../evil', mode: 0o644, body: 'x' }]), await dir(t)), /outside the context/);
    await assert.rejects(unpackContext(archive([{ name: '/etc/evil', mode: 0o644, body: 'x' }]), await dir(t)), /outside the context/);
  });
});
