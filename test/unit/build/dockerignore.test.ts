import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  cleanPath,
  compilePatterns,
  DockerignoreError,
  isExcluded,
  readDockerignore,
  removedByDaemon,
  selectContext,
  withBuildFilesKept,
  type ContextEntry,
} from '../../../runtime/build/dockerignore';

function excluded(patterns: string[], path: string): boolean {
  return isExcluded(path, compilePatterns(patterns));
}

describe('readDockerignore', () => {
  it('drops comments, blank lines, a BOM, leading slashes and ./, and cleans each pattern', () => {
    const text = '\uFEFF# comment\n\n  *.log  \n!keep.log\n! spaced\n/abs/dir/\n./rel\na/../b\n #not a comment\r\n';
    assert.deepEqual(readDockerignore(text), ['*.log', '!keep.log', '!spaced', 'abs/dir', 'rel', 'b', '#not a comment']);
  });
});

describe('matching', () => {
  it('* and ? stop at /, ** spans directories', () => {
    assert.equal(excluded(['*.md'], 'a.md'), true);
    assert.equal(excluded(['*.md'], 'x/a.md'), false);
    assert.equal(excluded(['**/*.md'], 'x/y/a.md'), true);
    assert.equal(excluded(['**/*.md'], 'a.md'), true);
    assert.equal(excluded(['a?c'], 'abc'), true);
    assert.equal(excluded(['a?c'], 'a/c'), false);
    assert.equal(excluded(['x/**'], 'x/y/z'), true);
    assert.equal(excluded(['[ab]bc.*'], 'abc.md'), true);
    assert.equal(excluded(['a\\?b'], 'a?b'), true);
    assert.equal(excluded(['a\\?b'], 'axb'), false);
  });

  it('a pattern that matches a parent directory excludes what is inside', () => {
    assert.equal(excluded(['build'], 'build/out/bin'), true);
    assert.equal(excluded(['**/tmp'], 'src/tmp/cache'), true);
  });

  it('the last matching line decides; exceptions re-include', () => {
    assert.equal(excluded(['*.log', '!keep.log'], 'keep.log'), false);
    assert.equal(excluded(['!keep.log', '*.log'], 'keep.log'), true);
    assert.equal(excluded(['q', '!q/file.txt'], 'q/file.txt'), false);
    assert.equal(excluded(['q', '!q/file.txt'], 'q/other'), true);
  });

  it('rejects a lone ! and an unclosed [', () => {
    assert.throws(() => compilePatterns(['!']), DockerignoreError);
    assert.throws(() => compilePatterns(['a[b']), /unclosed/);
  });
});

describe('what the CLI sends', () => {
  const walk: ContextEntry[] = [
    { path: '.dockerignore', isDir: false },
    { path: 'Dockerfile', isDir: false },
    { path: 'a', isDir: true },
    { path: 'a/b', isDir: true },
    { path: 'a/b/x.txt', isDir: false },
    { path: 'a/y.txt', isDir: false },
    { path: 'keep', isDir: true },
    { path: 'keep/deep.md', isDir: false },
  ];

  it('keeps the Dockerfile and .dockerignore even when ignored, and the daemon then drops them', () => {
    const patterns = readDockerignore('*\n!a/b\nDockerfile\n.dockerignore\n');
    const sent = selectContext(walk, compilePatterns(withBuildFilesKept(patterns, 'Dockerfile'))).map((e) => e.path);
    assert.deepEqual(sent, ['.dockerignore', 'Dockerfile', 'a/b', 'a/b/x.txt']);
    assert.deepEqual(removedByDaemon(patterns, 'Dockerfile'), ['.dockerignore', 'Dockerfile']);
  });

  it('an excluded directory is walked only when an exception names a path under it', () => {
    const sent = selectContext(walk, compilePatterns(['keep', 'a', '!**/deep.md'])).map((e) => e.path);
    // `!**/deep.md` would match keep/deep.md, but nothing names keep/ literally, so it is skipped.
    assert.deepEqual(sent, ['.dockerignore', 'Dockerfile']);
    const rescued = selectContext(walk, compilePatterns(['keep', '!keep/deep.md'])).map((e) => e.path);
    assert.ok(rescued.includes('keep/deep.md') && !rescued.includes('keep'));
  });
});

describe('cleanPath (Go path.Clean)', () => {
  it('cleans like Go', () => {
    assert.equal(cleanPath('a/../b/./c//'), 'b/c');
    assert.equal(cleanPath('/../x'), '/x');
    assert.equal(cleanPath('../x'), '../x');
    assert.equal(cleanPath(''), '.');
  });
});
