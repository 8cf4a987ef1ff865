// COPY/ADD source resolution on a real temp directory. The hashes are the ones dockerd 20.10
// printed in history for the same files (`COPY file:2cc6… in /c1`), so they pin Docker's
// tarsum layout byte for byte.
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { BuildError } from '../../../runtime/build/buildError';
import { cacheKey } from '../../../runtime/build/cacheKey';
import { copyDestination, hostOwnerNames, resolveCopySources } from '../../../runtime/build/copySources';
import { containsWildcards, goPathMatch } from '../../../runtime/build/goPathMatch';

const OWNER = { owner: { uid: 0, gid: 0 } };

async function context(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-copy-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'd', 'sub'), { recursive: true });
  await writeFile(join(dir, 'a.txt'), 'hi\n');
  await writeFile(join(dir, 'd', 'sub', 'f'), 'x\n');
  await chmod(join(dir, 'a.txt'), 0o644);
  await chmod(join(dir, 'd', 'sub', 'f'), 0o644);
  await chmod(join(dir, 'd'), 0o755);
  await chmod(join(dir, 'd', 'sub'), 0o755);
  await symlink('../../../a.txt', join(dir, 'up'));
  await symlink('/etc/passwd', join(dir, 'evil'));
  return dir;
}

describe('resolveCopySources', () => {
  it('hashes a file, a directory and several sources as dockerd does', async (t) => {
    const dir = await context(t);
    assert.equal((await resolveCopySources(dir, ['a.txt'], '/c1', 'COPY', 3, OWNER)).hash, 'file:2cc6f75217b6d0ad0246a0f00e7bb3296d332db51dc16a22ce490430905d8d80');
    assert.equal((await resolveCopySources(dir, ['d'], '/d/', 'COPY', 3, OWNER)).hash, 'dir:62eb204bbaa0857ed24e38d30f383bfa2cbf3aad9771cd8d226b3e4c1b847219');
    assert.equal((await resolveCopySources(dir, ['a.txt', 'd'], '/m/', 'COPY', 3, OWNER)).hash, 'multi:fda0a32a82cf9b627e74d87fcb23a9e9ee41e4360a35d385826f4bd396e21f4b');
  });

  it('drops a leading / or ./ and cleans d/../a.txt inside the context', async (t) => {
    const dir = await context(t);
    for (const source of ['/a.txt', './a.txt', 'd/../a.txt']) {
      const { sources } = await resolveCopySources(dir, [source], '/x', 'COPY', 1, OWNER);
      assert.equal(sources[0].path, 'a.txt', source);
    }
  });

  it('refuses to climb out with .., and clamps symlinks to the context root', async (t) => {
    const dir = await context(t);
    await assert.rejects(resolveCopySources(dir, ['../a.txt'], '/x', 'COPY', 4, OWNER), (e: Error) => e instanceof BuildError && e.line === 4 && /forbidden path outside the build context: \.\.\/a\.txt/.test(e.message));
    const up = await resolveCopySources(dir, ['up'], '/x', 'COPY', 1, OWNER);
    assert.deepEqual([up.sources[0].path, up.sources[0].name, up.hash], ['a.txt', 'up', 'file:2cc6f75217b6d0ad0246a0f00e7bb3296d332db51dc16a22ce490430905d8d80']);
    await assert.rejects(resolveCopySources(dir, ['evil'], '/x', 'COPY', 2, OWNER), /file not found in build context or excluded by \.dockerignore: evil/);
  });

  it('expands wildcards and wants a directory destination for several matches', async (t) => {
    const dir = await context(t);
    await writeFile(join(dir, 'b.txt'), 'b\n');
    const { sources } = await resolveCopySources(dir, ['*.txt'], '/texts/', 'COPY', 1, OWNER);
    assert.deepEqual(sources.map((s) => s.path), ['a.txt', 'b.txt']);
    await assert.rejects(resolveCopySources(dir, ['*.txt'], '/texts', 'COPY', 1, OWNER), /must be a directory and end with a \/ \(write \/texts\/\)/);
    await assert.rejects(resolveCopySources(dir, ['*.none'], '/x/', 'ADD', 1, OWNER), /no source files were specified/);
  });

  it('places files and directory contents like Docker', () => {
    const file = { path: 'a.txt', name: 'link', isDir: false, hash: '' };
    assert.equal(copyDestination(file, 'b', '/w', false), '/w/b');
    assert.equal(copyDestination(file, 'b/', '/w', false), '/w/b/link');
    assert.equal(copyDestination(file, '/b', '/w', true), '/b/link');
    assert.equal(copyDestination({ ...file, isDir: true }, '/dir', '/w', false), '/dir');
  });
});

describe('goPathMatch (Go filepath.Match)', () => {
  const cases: [string, string, boolean][] = [
    ['*.txt', 'a.txt', true],
    ['*.txt', 'd/a.txt', false],
    ['d/*', 'd/a', true],
    ['?', 'a', true],
    ['?', '/', false],
    ['[a-c]x', 'bx', true],
    ['[^a-c]x', 'bx', false],
    ['a\\*', 'a*', true],
    ['a\\*', 'ab', false],
    ['[', 'a', false],
    ['[]a]', 'a', false],
  ];
  for (const [pattern, name, expected] of cases) it(`${pattern} ~ ${name} = ${expected}`, () => assert.equal(goPathMatch(pattern, name), expected));

  it('knows which paths have wildcards', () => {
    assert.deepEqual(['a*', 'a\\*', 'b[c]', 'plain'].map(containsWildcards), [true, false, true, false]);
  });
});

describe('cacheKey', () => {
  const input = { parent: 'sha256:p', createdBy: '/bin/sh -c make', config: { Env: ['A=1'], User: '' }, buildArgs: ['B=2', 'A=1'] };

  it('is stable under key order and arg order', () => {
    assert.equal(cacheKey(input), cacheKey({ ...input, config: { User: '', Env: ['A=1'] }, buildArgs: ['A=1', 'B=2'] }));
  });

  it('changes with the parent, the step, the args the step sees, its config and the source hash', () => {
    const base = cacheKey(input);
    for (const changed of [
      { ...input, parent: 'sha256:q' },
      { ...input, createdBy: '/bin/sh -c make all' },
      { ...input, buildArgs: ['B=3', 'A=1'] },
      { ...input, config: { Env: ['A=1'], User: 'app' } },
      { ...input, sourceHash: 'file:1' },
    ]) assert.notEqual(cacheKey(changed), base);
  });
});

describe('image sources (COPY --from)', () => {
  it('hash with file-type bits in the mode and looked-up owner names, as dockerd 20.10 does', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-copy-from-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    await mkdir(join(dir, 'out'));
    await writeFile(join(dir, 'out', 'artifact'), 'built\n');
    await chmod(join(dir, 'out', 'artifact'), 0o644);
    const ownerNames = hostOwnerNames('root:x:0:0:root:/root:/bin/sh\n', 'root:x:0:\n');
    const { hash } = await resolveCopySources(dir, ['/out/artifact'], '/app/', 'COPY', 1, { owner: { uid: 0, gid: 0 }, imageSource: { ownerNames } });
    // From the history of an image dockerd built with `COPY --from=builder /out/artifact /app/`.
    assert.equal(hash, 'file:ad53831dd2e98718f6c6b5b398e0894cd4104a4ef75425e5f5a3f45382ab0897');
  });
});
