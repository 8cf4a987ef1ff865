// Variable substitution, against what dockerd 20.10 produced for the same words (probed with
// `ENV R=<word>` builds; the expected values below are dockerd's).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { envFromList, goQuote, processWord, processWords, SubstitutionError } from '../../../runtime/build/substitution';

const env = new Map([
  ['V', 'abc'],
  ['E', ''],
  ['SPACED', 'a  b'],
]);

describe('processWord', () => {
  const cases: [string, string][] = [
    ['$V', 'abc'],
    ['${V}', 'abc'],
    ['${V}_$V_x', 'abc_'], // `$V_x` is the variable V_x, unset
    ['${E:-w}', 'w'],
    ['${E:+w}', ''],
    ['${V:-w}', 'abc'],
    ['${V:+w}', 'w'],
    ['${U:-"a b"}', 'a b'],
    ['${V:-$U}', 'abc'],
    ['${U:-$V}', 'abc'],
    ['${V?msg}', 'abc'],
    ['${E?msg}', ''],
    ['\\$V', '$V'],
    ['"$V"', 'abc'],
    ["'$V'", '$V'],
    ['$', '$'],
    ['$$', ''], // `$$` is a special parameter, never set
    ['$1x', 'x'],
    ['$@x', 'x'],
    ['a\\ b', 'a b'],
    ['"a \\"q\\" \\n"', 'a "q" \\n'], // in double quotes only \" \$ \\ are escapes
    ["'a\\b'", 'a\\b'],
    ['x${SPACED}y', 'xa  by'],
    ['trailing\\', 'trailing'],
  ];
  for (const [word, expected] of cases) {
    it(`${word} → ${JSON.stringify(expected)}`, () => assert.equal(processWord(word, env), expected));
  }

  it('uses the escape directive character', () => {
    assert.equal(processWord('`$V', env, '`'), '$V');
    assert.equal(processWord('C:\\Users', env, '`'), 'C:\\Users');
  });

  const errors: [string, string][] = [
    ['${V-w}', "missing ':' in substitution"],
    ['${V+w}', "missing ':' in substitution"],
    ['${V#a}', "missing ':' in substitution"],
    ['${V/b/x}', "missing ':' in substitution"],
    ['${V:1}', 'unsupported modifier (1) in substitution'],
    ['${}', 'syntax error: bad substitution'],
    ['${:x}', 'syntax error: bad substitution'],
    ['${', "syntax error: missing '}'"],
    ['${V:-abc', "syntax error: missing '}'"],
    ['${U?must be set}', 'U: must be set'],
    ['${U:?}', 'U: is not allowed to be unset'],
    ['${E:?}', 'E: is not allowed to be empty'],
    ['"open', 'unexpected end of statement while looking for matching double-quote'],
    ["'open", 'unexpected end of statement while looking for matching single-quote'],
  ];
  for (const [word, message] of errors) {
    it(`${word} fails: ${message}`, () => {
      assert.throws(() => processWord(word, env), (error: Error) => {
        assert.ok(error instanceof SubstitutionError);
        assert.equal(error.message, `failed to process ${goQuote(word)}: ${message}`);
        return true;
      });
    });
  }
});

describe('processWords (EXPOSE)', () => {
  it('splits values on whitespace but keeps quoted text together', () => {
    assert.deepEqual(processWords('$PORTS 80', new Map([['PORTS', '9000  9001/udp']])), ['9000', '9001/udp', '80']);
    assert.deepEqual(processWords('"a b" c\\ d', new Map()), ['a b', 'c d']);
  });
});

describe('envFromList', () => {
  it('reads KEY=VALUE, the first entry of a name wins', () => {
    assert.deepEqual([...envFromList(['A=1', 'B=x=y', 'A=2', 'C'])], [['A', '1'], ['B', 'x=y'], ['C', '']]);
  });
});
