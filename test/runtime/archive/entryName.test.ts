// The pure naming rules of layer entries: cleaning, escapes, whiteout kinds.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyWhiteout, cleanEntryName } from '../../../runtime/archive/entryName';

test('names are cleaned like Go filepath.Clean, relative to the root', () => {
  assert.deepEqual(cleanEntryName('etc/passwd'), ['etc', 'passwd']);
  assert.deepEqual(cleanEntryName('./etc//passwd'), ['etc', 'passwd']);
  assert.deepEqual(cleanEntryName('/etc/passwd'), ['etc', 'passwd']);
  assert.deepEqual(cleanEntryName('dir/'), ['dir']);
  assert.deepEqual(cleanEntryName('a/b/../c'), ['a', 'c']);
  for (const root of ['', '.', './', '/', 'a/..', '/..', '/../..']) assert.deepEqual(cleanEntryName(root), [], root);
});

test('a relative name climbing above the root escapes; an absolute one stops at the root', () => {
  for (const name of ['..', '../x', 'a/../../x', './../x', 'a/b/../../../x']) assert.equal(cleanEntryName(name), undefined, name);
  assert.deepEqual(cleanEntryName('/../x'), ['x']);
  assert.deepEqual(cleanEntryName('/a/../../x'), ['x']);
});

test('whiteouts are classified by their last component', () => {
  assert.deepEqual(classifyWhiteout(['etc', 'passwd']), { kind: 'none' });
  assert.deepEqual(classifyWhiteout(['etc', '.wh.passwd']), { kind: 'remove', dir: ['etc'], name: 'passwd' });
  assert.deepEqual(classifyWhiteout(['.wh..hidden']), { kind: 'remove', dir: [], name: '.hidden' });
  assert.deepEqual(classifyWhiteout(['var', '.wh..wh..opq']), { kind: 'opaque', dir: ['var'] });
  assert.deepEqual(classifyWhiteout(['.wh..wh..opq']), { kind: 'opaque', dir: [] });
  for (const [base, name] of [['.wh.', ''], ['.wh..', '.'], ['.wh...', '..']]) {
    assert.deepEqual(classifyWhiteout(['d', base]), { kind: 'invalid', name }, base);
  }
});

test('AUFS metadata at the root is recognised, elsewhere it is an ordinary whiteout', () => {
  assert.deepEqual(classifyWhiteout(['.wh..wh.plnk']), { kind: 'aufs-meta' });
  assert.deepEqual(classifyWhiteout(['.wh..wh.plnk', '123.456']), { kind: 'aufs-meta' });
  assert.deepEqual(classifyWhiteout(['.wh..wh.aufs']), { kind: 'aufs-meta' });
  assert.deepEqual(classifyWhiteout(['d', '.wh..wh.plnk']), { kind: 'remove', dir: ['d'], name: '.wh.plnk' });
});
