// Tokenizes real text with the real vscode-textmate engine (and vscode-oniguruma) and
// checks the scopes produced by syntaxes/dockerfile.tmLanguage.json and
// syntaxes/dockerignore.tmLanguage.json, plus the regexes of the language configuration.
//
// The embedded grammars (source.shell, source.python) are resolved to null here, as they
// come from VS Code itself; the tests check that the embedded scopes are still produced.
// One group of tests uses a deliberately broken stand-in shell grammar to check that
// whatever the embedded grammar leaves open never leaks past the instruction.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as oniguruma from 'vscode-oniguruma';
import * as vsctm from 'vscode-textmate';

const ROOT = path.resolve(__dirname, '..', '..');
const SYNTAXES = path.join(ROOT, 'syntaxes');
const GRAMMAR_FILES: Record<string, string> = {
  'source.dockerfile': path.join(SYNTAXES, 'dockerfile.tmLanguage.json'),
  'source.dockerignore': path.join(SYNTAXES, 'dockerignore.tmLanguage.json'),
};

// Scope names used over and over.
const KW = 'keyword.other.special-method.dockerfile';
const SHELL_LINE = 'meta.embedded.line.shell';
const SHELL_BLOCK = 'meta.embedded.block.shell';
const CONT = 'constant.character.escape.line-continuation.dockerfile';
const COMMENT = 'comment.line.number-sign.dockerfile';
const COMMENT_HASH = 'punctuation.definition.comment.dockerfile';
const VAR = 'variable.other.dockerfile';
const VAR_DOLLAR = 'punctuation.definition.variable.dockerfile';
const VAR_OPEN = 'punctuation.section.variable.begin.dockerfile';
const VAR_CLOSE = 'punctuation.section.variable.end.dockerfile';
const VAR_OP = 'keyword.operator.expansion.dockerfile';
const VAR_WORD = 'string.unquoted.expansion.dockerfile';
const FLAG = 'meta.flag.dockerfile';
const FLAG_NAME = 'entity.other.attribute-name.flag.dockerfile';
const FLAG_DASHES = 'punctuation.definition.flag.dockerfile';
const FLAG_VALUE = 'string.unquoted.flag-value.dockerfile';
const ASSIGN = 'keyword.operator.assignment.dockerfile';
const STAGE = 'entity.name.type.stage.dockerfile';
const JSON_ARRAY = 'meta.json-array.dockerfile';
const DQ = 'string.quoted.double.dockerfile';
const SQ = 'string.quoted.single.dockerfile';
const STR_BEGIN = 'punctuation.definition.string.begin.dockerfile';
const STR_END = 'punctuation.definition.string.end.dockerfile';
const ESCAPE = 'constant.character.escape.dockerfile';
const HEREDOC = 'meta.heredoc.dockerfile';
const HEREDOC_MULTI = 'meta.heredoc.multiple.dockerfile';
const HEREDOC_OP = 'keyword.operator.heredoc.dockerfile';
const HEREDOC_TOKEN = 'keyword.control.heredoc-token.dockerfile';
const HEREDOC_BODY = 'string.unquoted.heredoc.dockerfile';
const DIRECTIVE = 'meta.directive.dockerfile';

const ins = (name: string) => `meta.instruction.${name}.dockerfile`;

// ---- engine setup ------------------------------------------------------------

let onigLib: Promise<vsctm.IOnigLib> | undefined;
function getOnigLib(): Promise<vsctm.IOnigLib> {
  onigLib ??= (async () => {
    const wasm = fs.readFileSync(path.join(ROOT, 'node_modules', 'vscode-oniguruma', 'release', 'onig.wasm'));
    await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
    return {
      createOnigScanner: (sources: string[]) => new oniguruma.OnigScanner(sources),
      createOnigString: (text: string) => new oniguruma.OnigString(text),
    };
  })();
  return onigLib;
}

/** Scope names the registries were asked for, whether or not they had a grammar. */
const requestedScopes = new Set<string>();

function createRegistry(extra: Record<string, vsctm.IRawGrammar> = {}): vsctm.Registry {
  return new vsctm.Registry({
    onigLib: getOnigLib(),
    loadGrammar: async (scopeName) => {
      requestedScopes.add(scopeName);
      const file = GRAMMAR_FILES[scopeName];
      if (file) return vsctm.parseRawGrammar(fs.readFileSync(file, 'utf8'), file);
      // source.shell, source.python: provided by VS Code, absent here.
      return extra[scopeName] ?? null;
    },
  });
}

const registry = createRegistry();
const grammars = new Map<string, Promise<vsctm.IGrammar>>();
function grammar(scopeName: string, reg = registry): Promise<vsctm.IGrammar> {
  if (reg !== registry) return reg.loadGrammar(scopeName).then((g) => g ?? assert.fail(`no grammar ${scopeName}`));
  let g = grammars.get(scopeName);
  if (!g) {
    g = registry.loadGrammar(scopeName).then((x) => x ?? assert.fail(`no grammar ${scopeName}`));
    grammars.set(scopeName, g);
  }
  return g;
}

// ---- tokenizing helpers ------------------------------------------------------

/** One token: its text and its scopes without the root scope (checked separately). */
type Token = [text: string, scopes: string[]];

/** Tokenizes a whole text, carrying the rule stack from line to line. */
async function tokenize(text: string, scopeName = 'source.dockerfile', reg = registry): Promise<Token[][]> {
  const g = await grammar(scopeName, reg);
  let stack = vsctm.INITIAL;
  return text.split('\n').map((line) => {
    const result = g.tokenizeLine(line, stack);
    stack = result.ruleStack;
    return result.tokens.map((t): Token => {
      assert.equal(t.scopes[0], scopeName, `root scope of ${JSON.stringify(line)}`);
      return [line.slice(t.startIndex, t.endIndex), t.scopes.slice(1)];
    });
  });
}

/** Scopes of the `nth` token on `line` whose text is exactly `text`. */
function scopesOf(lines: Token[][], line: number, text: string, nth = 0): string[] {
  const hits = (lines[line] ?? []).filter(([t]) => t === text);
  if (!hits[nth]) {
    assert.fail(`no token ${JSON.stringify(text)} (#${nth}) on line ${line}; tokens: ${JSON.stringify(lines[line])}`);
  }
  return hits[nth][1];
}

/** Text of every token on `line` that carries `scope` (prefix match on dotted parts). */
function textWith(lines: Token[][], line: number, scope: string): string {
  return lines[line]
    .filter(([, scopes]) => scopes.some((s) => s === scope || s.startsWith(scope + '.')))
    .map(([t]) => t)
    .join('');
}

/** True when no token on `line` carries `scope`. */
function lacks(lines: Token[][], line: number, scope: string): boolean {
  return textWith(lines, line, scope) === '';
}

// ---- Dockerfile: instructions ---------------------------------------------------

describe('dockerfile grammar: instructions', () => {
  const ALL = [
    'ADD', 'ARG', 'CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'FROM', 'HEALTHCHECK',
    'LABEL', 'MAINTAINER', 'RUN', 'SHELL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR',
  ];

  test('every instruction keyword is scoped, in upper, lower and mixed case', async () => {
    for (const kw of ALL) {
      for (const spelled of [kw, kw.toLowerCase(), kw[0] + kw.slice(1).toLowerCase()]) {
        const lines = await tokenize(`${spelled} x`);
        const [text, scopes] = lines[0][0];
        assert.equal(text, spelled);
        assert.equal(scopes.length, 2, `${spelled}: ${JSON.stringify(scopes)}`);
        assert.match(scopes[0], /^meta\.instruction\.[a-z]+\.dockerfile$/);
        assert.equal(scopes[1], KW);
      }
    }
  });

  test('instruction scope names', async () => {
    const lines = await tokenize('FROM a\nRUN b\nCOPY c d\nADD e f\nUSER g\nWORKDIR /h\nMAINTAINER i');
    assert.deepEqual(scopesOf(lines, 0, 'FROM'), [ins('from'), KW]);
    assert.deepEqual(scopesOf(lines, 1, 'RUN'), [ins('run'), KW]);
    assert.deepEqual(scopesOf(lines, 2, 'COPY'), [ins('copy'), KW]);
    assert.deepEqual(scopesOf(lines, 3, 'ADD'), [ins('add'), KW]);
    assert.deepEqual(scopesOf(lines, 4, 'USER'), [ins('user'), KW]);
    assert.deepEqual(scopesOf(lines, 5, 'WORKDIR'), [ins('workdir'), KW]);
    assert.deepEqual(scopesOf(lines, 6, 'MAINTAINER'), [ins('maintainer'), KW]);
  });

  test('leading whitespace is allowed before an instruction', async () => {
    const lines = await tokenize('  \tcopy a b');
    assert.deepEqual(lines[0][0], ['  \t', [ins('copy')]]);
    assert.deepEqual(scopesOf(lines, 0, 'copy'), [ins('copy'), KW]);
  });

  test('a keyword must be a whole word at the start of a line', async () => {
    const lines = await tokenize('RUNNER x\nFOO RUN\nfrom');
    assert.deepEqual(lines[0], [['RUNNER x', []]]);
    assert.deepEqual(lines[1], [['FOO RUN', []]]);
    assert.deepEqual(scopesOf(lines, 2, 'from'), [ins('from'), KW]);
  });

  test('FROM: flags, image, AS and stage name', async () => {
    const lines = await tokenize('FROM --platform=$BUILDPLATFORM golang:1.22 AS builder\nfrom alpine as final');
    assert.deepEqual(scopesOf(lines, 0, 'AS'), [ins('from'), KW]);
    assert.deepEqual(scopesOf(lines, 0, 'builder'), [ins('from'), STAGE]);
    assert.deepEqual(scopesOf(lines, 0, ' golang:1.22 '), [ins('from')]);
    assert.deepEqual(scopesOf(lines, 1, 'as'), [ins('from'), KW]);
    assert.deepEqual(scopesOf(lines, 1, 'final'), [ins('from'), STAGE]);
  });

  test('ENV: modern and legacy forms', async () => {
    const lines = await tokenize('ENV A=1 B="two words"\nENV LEGACY some value');
    assert.deepEqual(scopesOf(lines, 0, 'A'), [ins('env'), 'entity.name.variable.dockerfile']);
    assert.deepEqual(scopesOf(lines, 0, '=', 0), [ins('env'), ASSIGN]);
    assert.deepEqual(scopesOf(lines, 0, 'B'), [ins('env'), 'entity.name.variable.dockerfile']);
    assert.deepEqual(scopesOf(lines, 0, 'two words'), [ins('env'), DQ]);
    assert.deepEqual(scopesOf(lines, 1, 'LEGACY'), [ins('env'), 'entity.name.variable.dockerfile']);
    assert.deepEqual(scopesOf(lines, 1, ' some value'), [ins('env')]);
  });

  test('ARG, LABEL, EXPOSE, STOPSIGNAL', async () => {
    const lines = await tokenize(
      'ARG VERSION=1.0 OTHER\n' +
        'LABEL org.opencontainers.image.title="x" "quoted.key"=v\n' +
        'EXPOSE 80/tcp 8000-8010\n' +
        'STOPSIGNAL SIGTERM',
    );
    assert.deepEqual(scopesOf(lines, 0, 'VERSION'), [ins('arg'), 'entity.name.variable.dockerfile']);
    assert.deepEqual(scopesOf(lines, 0, 'OTHER'), [ins('arg'), 'entity.name.variable.dockerfile']);
    assert.deepEqual(scopesOf(lines, 0, '1.0 '), [ins('arg')]);
    assert.deepEqual(scopesOf(lines, 1, 'org.opencontainers.image.title'), [ins('label'), 'entity.other.attribute-name.label.dockerfile']);
    assert.deepEqual(scopesOf(lines, 1, '"quoted.key"'), [ins('label'), DQ, 'entity.other.attribute-name.label.dockerfile']);
    assert.deepEqual(scopesOf(lines, 2, '80'), [ins('expose'), 'constant.numeric.integer.dockerfile']);
    assert.deepEqual(scopesOf(lines, 2, 'tcp'), [ins('expose'), 'constant.language.protocol.dockerfile']);
    assert.deepEqual(scopesOf(lines, 2, '-'), [ins('expose'), 'keyword.operator.range.dockerfile']);
    assert.deepEqual(scopesOf(lines, 2, '8010'), [ins('expose'), 'constant.numeric.integer.dockerfile']);
    assert.deepEqual(scopesOf(lines, 3, 'SIGTERM'), [ins('stopsignal'), 'constant.language.signal.dockerfile']);
  });

  test('ONBUILD is followed by an instruction', async () => {
    const lines = await tokenize('ONBUILD RUN make\nONBUILD copy . /src\nUSER x');
    assert.deepEqual(scopesOf(lines, 0, 'ONBUILD'), [ins('onbuild'), 'keyword.control.onbuild.dockerfile']);
    assert.deepEqual(scopesOf(lines, 0, 'RUN'), [ins('onbuild'), ins('run'), KW]);
    assert.deepEqual(scopesOf(lines, 0, 'make'), [ins('onbuild'), ins('run'), SHELL_LINE]);
    assert.deepEqual(scopesOf(lines, 1, 'copy'), [ins('onbuild'), ins('copy'), KW]);
    assert.deepEqual(scopesOf(lines, 2, 'USER'), [ins('user'), KW]);
  });

  test('HEALTHCHECK NONE and HEALTHCHECK [flags] CMD', async () => {
    const lines = await tokenize(
      'HEALTHCHECK NONE\nHEALTHCHECK --interval=30s CMD curl -f http://localhost/\nHEALTHCHECK CMD ["curl", "-f"]',
    );
    assert.deepEqual(scopesOf(lines, 0, 'NONE'), [ins('healthcheck'), 'constant.language.none.dockerfile']);
    assert.deepEqual(scopesOf(lines, 1, 'interval'), [ins('healthcheck'), FLAG, FLAG_NAME]);
    assert.deepEqual(scopesOf(lines, 1, '30s'), [ins('healthcheck'), FLAG, FLAG_VALUE]);
    assert.deepEqual(scopesOf(lines, 1, 'CMD'), [ins('healthcheck'), ins('cmd'), KW]);
    assert.deepEqual(scopesOf(lines, 1, 'curl -f http://localhost/'), [ins('healthcheck'), ins('cmd'), SHELL_LINE]);
    assert.deepEqual(scopesOf(lines, 2, 'curl'), [ins('healthcheck'), ins('cmd'), JSON_ARRAY, DQ]);
  });
});

// ---- Dockerfile: flags ---------------------------------------------------------

describe('dockerfile grammar: flags', () => {
  test('--from=<stage> names a stage', async () => {
    const lines = await tokenize('COPY --from=builder /out /app');
    assert.deepEqual(scopesOf(lines, 0, '--'), [ins('copy'), FLAG, FLAG_NAME, FLAG_DASHES]);
    assert.deepEqual(scopesOf(lines, 0, 'from'), [ins('copy'), FLAG, FLAG_NAME]);
    assert.deepEqual(scopesOf(lines, 0, '='), [ins('copy'), FLAG, ASSIGN]);
    assert.deepEqual(scopesOf(lines, 0, 'builder'), [ins('copy'), FLAG, FLAG_VALUE, STAGE]);
    assert.deepEqual(scopesOf(lines, 0, ' /out /app'), [ins('copy')]);
  });

  test('--chown value and a flag without value', async () => {
    const lines = await tokenize('COPY --link --chown=app:app src /dst');
    assert.deepEqual(scopesOf(lines, 0, 'link'), [ins('copy'), FLAG, FLAG_NAME]);
    assert.deepEqual(scopesOf(lines, 0, 'chown'), [ins('copy'), FLAG, FLAG_NAME]);
    assert.deepEqual(scopesOf(lines, 0, 'app:app'), [ins('copy'), FLAG, FLAG_VALUE]);
    assert.deepEqual(scopesOf(lines, 0, ' src /dst'), [ins('copy')]);
  });

  test('--mount=type=cache,target=/x: key/value pairs inside the value', async () => {
    const lines = await tokenize('RUN --mount=type=cache,target=/root/.cache go build');
    const prop = 'support.type.property-name.dockerfile';
    assert.deepEqual(scopesOf(lines, 0, 'mount'), [ins('run'), FLAG, FLAG_NAME]);
    assert.deepEqual(scopesOf(lines, 0, '=', 0), [ins('run'), FLAG, ASSIGN]);
    assert.deepEqual(scopesOf(lines, 0, 'type'), [ins('run'), FLAG, FLAG_VALUE, prop]);
    assert.deepEqual(scopesOf(lines, 0, '=', 1), [ins('run'), FLAG, FLAG_VALUE, ASSIGN]);
    assert.deepEqual(scopesOf(lines, 0, 'cache'), [ins('run'), FLAG, FLAG_VALUE]);
    assert.deepEqual(scopesOf(lines, 0, ','), [ins('run'), FLAG, FLAG_VALUE, 'punctuation.separator.comma.dockerfile']);
    assert.deepEqual(scopesOf(lines, 0, 'target'), [ins('run'), FLAG, FLAG_VALUE, prop]);
    assert.deepEqual(scopesOf(lines, 0, '/root/.cache'), [ins('run'), FLAG, FLAG_VALUE]);
    assert.deepEqual(scopesOf(lines, 0, 'go build'), [ins('run'), SHELL_LINE]);
  });

  test('--platform=$BUILDPLATFORM: variable inside the value', async () => {
    const lines = await tokenize('FROM --platform=$BUILDPLATFORM alpine');
    assert.deepEqual(scopesOf(lines, 0, 'platform'), [ins('from'), FLAG, FLAG_NAME]);
    assert.deepEqual(scopesOf(lines, 0, '$'), [ins('from'), FLAG, FLAG_VALUE, VAR, VAR_DOLLAR]);
    assert.deepEqual(scopesOf(lines, 0, 'BUILDPLATFORM'), [ins('from'), FLAG, FLAG_VALUE, VAR]);
  });

  test('flags on continuation lines, and `--` inside the shell command is not a flag', async () => {
    const lines = await tokenize('RUN --network=none \\\n    --security=insecure make --jobs=2');
    assert.deepEqual(scopesOf(lines, 1, 'security'), [ins('run'), FLAG, FLAG_NAME]);
    assert.deepEqual(scopesOf(lines, 1, 'make --jobs=2'), [ins('run'), SHELL_LINE]);
  });
});

// ---- Dockerfile: variables, strings, comments, directives -------------------

describe('dockerfile grammar: variables and strings', () => {
  test('$VAR and ${VAR}', async () => {
    const lines = await tokenize('WORKDIR $HOME/${APP}');
    const w = ins('workdir');
    assert.deepEqual(scopesOf(lines, 0, '$', 0), [w, VAR, VAR_DOLLAR]);
    assert.deepEqual(scopesOf(lines, 0, 'HOME'), [w, VAR]);
    assert.deepEqual(scopesOf(lines, 0, '/'), [w]);
    assert.deepEqual(scopesOf(lines, 0, '$', 1), [w, VAR, VAR_DOLLAR]);
    assert.deepEqual(scopesOf(lines, 0, '{'), [w, VAR, VAR_OPEN]);
    assert.deepEqual(scopesOf(lines, 0, 'APP'), [w, VAR]);
    assert.deepEqual(scopesOf(lines, 0, '}'), [w, VAR, VAR_CLOSE]);
  });

  test('${VAR:-default}, ${VAR:+x}, ${VAR#pat}, ${VAR%%pat}, ${VAR/a/b}', async () => {
    const cases: [string, string, string][] = [
      ['${VAR:-default}', ':-', 'default'],
      ['${VAR:+x}', ':+', 'x'],
      ['${VAR-y}', '-', 'y'],
      ['${VAR#pat}', '#', 'pat'],
      ['${VAR##pat*}', '##', 'pat*'],
      ['${VAR%%.tar}', '%%', '.tar'],
      ['${VAR/a/b}', '/', 'a/b'],
      ['${VAR:?required}', ':?', 'required'],
    ];
    for (const [expr, op, word] of cases) {
      const lines = await tokenize(`USER ${expr}`);
      assert.deepEqual(scopesOf(lines, 0, 'VAR'), [ins('user'), VAR], expr);
      assert.deepEqual(scopesOf(lines, 0, op), [ins('user'), VAR, VAR_OP], expr);
      assert.deepEqual(scopesOf(lines, 0, word), [ins('user'), VAR, VAR_WORD], expr);
      assert.deepEqual(scopesOf(lines, 0, '}'), [ins('user'), VAR, VAR_CLOSE], expr);
    }
  });

  test('nested variable in a default, escaped dollar, and no expansion in single quotes', async () => {
    const lines = await tokenize("ENV A=${B:-$C} D=\\$E F='$G'");
    assert.deepEqual(scopesOf(lines, 0, 'C'), [ins('env'), VAR, VAR]);
    assert.deepEqual(scopesOf(lines, 0, '\\$'), [ins('env'), ESCAPE]);
    assert.deepEqual(scopesOf(lines, 0, 'E '), [ins('env')]);
    assert.deepEqual(scopesOf(lines, 0, '$G'), [ins('env'), SQ]);
  });

  test('double-quoted strings with escapes and variables; single-quoted without escapes', async () => {
    const lines = await tokenize('LABEL a="say \\"hi\\" to $USER" b=\'c:\\d\'');
    assert.deepEqual(scopesOf(lines, 0, '"', 0), [ins('label'), DQ, STR_BEGIN]);
    assert.deepEqual(scopesOf(lines, 0, 'say '), [ins('label'), DQ]);
    assert.deepEqual(scopesOf(lines, 0, '\\"', 0), [ins('label'), DQ, ESCAPE]);
    assert.deepEqual(scopesOf(lines, 0, 'USER'), [ins('label'), DQ, VAR]);
    assert.deepEqual(scopesOf(lines, 0, '"', 1), [ins('label'), DQ, STR_END]);
    assert.deepEqual(scopesOf(lines, 0, "'", 0), [ins('label'), SQ, STR_BEGIN]);
    assert.deepEqual(scopesOf(lines, 0, 'c:\\d'), [ins('label'), SQ]);
    assert.deepEqual(scopesOf(lines, 0, "'", 1), [ins('label'), SQ, STR_END]);
  });

  test('unterminated strings and variables stop at the end of the instruction', async () => {
    const lines = await tokenize('ENV A="open ${B\nCOPY a b');
    assert.deepEqual(scopesOf(lines, 0, 'B'), [ins('env'), DQ, VAR]);
    assert.deepEqual(lines[1], [['COPY', [ins('copy'), KW]], [' a b', [ins('copy')]]]);
  });
});

describe('dockerfile grammar: comments and parser directives', () => {
  test('a comment starts a line, leading whitespace allowed', async () => {
    const lines = await tokenize('# top\n   # indented');
    assert.deepEqual(lines[0], [['#', [COMMENT, COMMENT_HASH]], [' top', [COMMENT]]]);
    assert.deepEqual(lines[1], [
      ['   ', ['punctuation.whitespace.comment.leading.dockerfile']],
      ['#', [COMMENT, COMMENT_HASH]],
      [' indented', [COMMENT]],
    ]);
  });

  test('a # in the middle of a line is not a comment', async () => {
    const lines = await tokenize('ENV A=b # not a comment\nCOPY a#b /c\nunknown # text');
    assert.deepEqual(lines[0].slice(-1), [['b # not a comment', [ins('env')]]]);
    assert.ok(lacks(lines, 0, 'comment'));
    assert.ok(lacks(lines, 1, 'comment'));
    assert.deepEqual(lines[2], [['unknown # text', []]]);
  });

  test('directives at the top of the file', async () => {
    const lines = await tokenize('# syntax=docker/dockerfile:1\n#escape = `\n# check=skip=JSONArgsRecommended;error=true\nFROM x');
    assert.deepEqual(lines[0], [
      ['#', [DIRECTIVE, 'punctuation.definition.directive.dockerfile']],
      [' ', [DIRECTIVE]],
      ['syntax', [DIRECTIVE, 'keyword.control.directive.dockerfile']],
      ['=', [DIRECTIVE, ASSIGN]],
      ['docker/dockerfile:1', [DIRECTIVE, 'string.unquoted.directive-value.dockerfile']],
    ]);
    assert.deepEqual(scopesOf(lines, 1, 'escape'), [DIRECTIVE, 'keyword.control.directive.dockerfile']);
    assert.deepEqual(scopesOf(lines, 1, '`'), [DIRECTIVE, 'string.unquoted.directive-value.dockerfile']);
    assert.deepEqual(scopesOf(lines, 2, 'check'), [DIRECTIVE, 'keyword.control.directive.dockerfile']);
    assert.deepEqual(scopesOf(lines, 2, 'skip=JSONArgsRecommended;error=true'), [DIRECTIVE, 'string.unquoted.directive-value.dockerfile']);
    assert.deepEqual(scopesOf(lines, 3, 'FROM'), [ins('from'), KW]);
  });

  test('directive-looking lines after an instruction, a comment, a blank line or an unknown directive are comments', async () => {
    const cases = [
      'FROM x\n# syntax=docker/dockerfile:1',
      '# hello\n# syntax=docker/dockerfile:1',
      '\n# syntax=docker/dockerfile:1',
      '# foo=bar\n# syntax=docker/dockerfile:1',
    ];
    for (const text of cases) {
      const lines = await tokenize(text);
      assert.deepEqual(lines[1], [['#', [COMMENT, COMMENT_HASH]], [' syntax=docker/dockerfile:1', [COMMENT]]], text);
    }
  });
});

// ---- Dockerfile: exec form and shell form ----------------------------------

describe('dockerfile grammar: exec form and shell form', () => {
  test('JSON exec form for CMD, ENTRYPOINT, RUN, SHELL', async () => {
    const lines = await tokenize(
      'CMD ["executable", "param\\n"]\nENTRYPOINT ["/entry.sh"]\nRUN ["apt-get", "update"]\nSHELL ["/bin/bash", "-c"]',
    );
    assert.deepEqual(lines[0], [
      ['CMD', [ins('cmd'), KW]],
      [' ', [ins('cmd')]],
      ['[', [ins('cmd'), JSON_ARRAY, 'punctuation.definition.array.begin.dockerfile']],
      ['"', [ins('cmd'), JSON_ARRAY, DQ, STR_BEGIN]],
      ['executable', [ins('cmd'), JSON_ARRAY, DQ]],
      ['"', [ins('cmd'), JSON_ARRAY, DQ, STR_END]],
      [',', [ins('cmd'), JSON_ARRAY, 'punctuation.separator.array.dockerfile']],
      [' ', [ins('cmd'), JSON_ARRAY]],
      ['"', [ins('cmd'), JSON_ARRAY, DQ, STR_BEGIN]],
      ['param', [ins('cmd'), JSON_ARRAY, DQ]],
      ['\\n', [ins('cmd'), JSON_ARRAY, DQ, ESCAPE]],
      ['"', [ins('cmd'), JSON_ARRAY, DQ, STR_END]],
      [']', [ins('cmd'), JSON_ARRAY, 'punctuation.definition.array.end.dockerfile']],
    ]);
    assert.deepEqual(scopesOf(lines, 1, '/entry.sh'), [ins('entrypoint'), JSON_ARRAY, DQ]);
    assert.deepEqual(scopesOf(lines, 2, 'apt-get'), [ins('run'), JSON_ARRAY, DQ]);
    assert.deepEqual(scopesOf(lines, 3, '-c'), [ins('shell'), JSON_ARRAY, DQ]);
    for (const line of lines) assert.ok(!line.some(([, s]) => s.includes(SHELL_LINE)));
  });

  test('exec form expands variables only for COPY/ADD/VOLUME', async () => {
    const lines = await tokenize('CMD ["echo", "$HOME"]\nVOLUME ["/data", "$DIR"]\nCOPY ["a b", "$DEST"]');
    assert.deepEqual(scopesOf(lines, 0, '$HOME'), [ins('cmd'), JSON_ARRAY, DQ]);
    assert.deepEqual(scopesOf(lines, 1, 'DIR'), [ins('volume'), JSON_ARRAY, DQ, VAR]);
    assert.deepEqual(scopesOf(lines, 2, 'DEST'), [ins('copy'), JSON_ARRAY, DQ, VAR]);
    assert.deepEqual(scopesOf(lines, 2, 'a b'), [ins('copy'), JSON_ARRAY, DQ]);
  });

  test('a bracket that does not start a JSON array of strings is shell', async () => {
    const lines = await tokenize('RUN [ -f /x ] && echo y\nCMD [ "$A" = 1 ]');
    assert.deepEqual(lines[0].slice(2), [['[ -f /x ] && echo y', [ins('run'), SHELL_LINE]]]);
    assert.deepEqual(lines[1].slice(2), [['[ "$A" = 1 ]', [ins('cmd'), SHELL_LINE]]]);
  });

  test('shell form of RUN, CMD, ENTRYPOINT is embedded shell; a # in it belongs to the shell', async () => {
    const lines = await tokenize('RUN echo hi # shell comment\nCMD exec nginx -g "daemon off;"\nENTRYPOINT ./run.sh');
    assert.deepEqual(lines[0], [
      ['RUN', [ins('run'), KW]],
      [' ', [ins('run')]],
      ['echo hi # shell comment', [ins('run'), SHELL_LINE]],
    ]);
    assert.deepEqual(lines[1].slice(2), [['exec nginx -g "daemon off;"', [ins('cmd'), SHELL_LINE]]]);
    assert.deepEqual(lines[2].slice(2), [['./run.sh', [ins('entrypoint'), SHELL_LINE]]]);
    assert.ok(requestedScopes.has('source.shell'), 'the embedded shell grammar was requested');
  });
});

// ---- Dockerfile: line continuations ----------------------------------------

describe('dockerfile grammar: line continuations', () => {
  const TEXT = [
    'RUN apt-get update && \\', //      0
    '    apt-get install -y curl \\', // 1
    '    # a comment inside the instruction', // 2
    '', //                              3  (blank line inside: Docker skips it)
    '    && rm -rf /var/lib/apt/lists/*', // 4
    'COPY a b', //                      5
  ].join('\n');

  test('the shell-form body spans continued lines', async () => {
    const lines = await tokenize(TEXT);
    assert.deepEqual(lines[0].slice(2), [
      ['apt-get update && ', [ins('run'), SHELL_LINE]],
      ['\\', [ins('run'), SHELL_LINE, CONT]],
    ]);
    assert.deepEqual(lines[1], [
      ['    apt-get install -y curl ', [ins('run'), SHELL_LINE]],
      ['\\', [ins('run'), SHELL_LINE, CONT]],
    ]);
    assert.deepEqual(lines[4], [['    && rm -rf /var/lib/apt/lists/*', [ins('run'), SHELL_LINE]]]);
  });

  test('comment and blank lines inside a continued instruction', async () => {
    const lines = await tokenize(TEXT);
    assert.deepEqual(lines[2], [
      ['    ', [ins('run'), SHELL_LINE, 'punctuation.whitespace.comment.leading.dockerfile']],
      ['#', [ins('run'), SHELL_LINE, COMMENT, COMMENT_HASH]],
      [' a comment inside the instruction', [ins('run'), SHELL_LINE, COMMENT]],
    ]);
    assert.deepEqual(lines[3], [['', [ins('run'), SHELL_LINE]]]);
  });

  test('the instruction ends with the first line that is not continued', async () => {
    const lines = await tokenize(TEXT);
    assert.deepEqual(lines[5], [['COPY', [ins('copy'), KW]], [' a b', [ins('copy')]]]);
  });

  test('a backslash followed by trailing blanks still continues; one inside the line does not', async () => {
    const lines = await tokenize('RUN echo a\\ b \\  \n  c\nUSER x');
    assert.deepEqual(lines[0].slice(2), [
      ['echo a\\ b ', [ins('run'), SHELL_LINE]],
      ['\\', [ins('run'), SHELL_LINE, CONT]],
      ['  ', [ins('run'), SHELL_LINE]],
    ]);
    assert.deepEqual(lines[1], [['  c', [ins('run'), SHELL_LINE]]]);
    assert.deepEqual(scopesOf(lines, 2, 'USER'), [ins('user'), KW]);
  });

  test('continuations in non-shell instructions, JSON arrays and strings', async () => {
    const lines = await tokenize('ENV A=1 \\\n    B="x \\\n y"\nCMD ["a", \\\n     "b"]\nUSER x');
    assert.deepEqual(scopesOf(lines, 0, '\\'), [ins('env'), CONT]);
    assert.deepEqual(scopesOf(lines, 1, 'B'), [ins('env'), 'entity.name.variable.dockerfile']);
    assert.deepEqual(scopesOf(lines, 1, '\\'), [ins('env'), DQ, CONT]);
    assert.deepEqual(scopesOf(lines, 2, ' y'), [ins('env'), DQ]);
    assert.deepEqual(scopesOf(lines, 3, '\\'), [ins('cmd'), JSON_ARRAY, CONT]);
    assert.deepEqual(scopesOf(lines, 4, 'b'), [ins('cmd'), JSON_ARRAY, DQ]);
    assert.deepEqual(scopesOf(lines, 4, ']'), [ins('cmd'), JSON_ARRAY, 'punctuation.definition.array.end.dockerfile']);
    assert.deepEqual(scopesOf(lines, 5, 'USER'), [ins('user'), KW]);
  });

  test('a word on a continuation line is not an instruction, except an upper-case keyword after shell', async () => {
    const lines = await tokenize('RUN echo \\\n  copy a b\nENV A=1 \\\n  USER=me\nRUN echo \\\n  COPY c d');
    assert.deepEqual(lines[1], [['  copy a b', [ins('run'), SHELL_LINE]]]);
    assert.deepEqual(lines[3], [['  ', [ins('env')]], ['USER', [ins('env'), 'entity.name.variable.dockerfile']], ['=', [ins('env'), ASSIGN]], ['me', [ins('env')]]]);
    // Trade-off that keeps the grammar usable inside Markdown fences (see below).
    assert.deepEqual(scopesOf(lines, 5, 'COPY'), [ins('copy'), KW]);
  });
});

// ---- Dockerfile: heredocs ------------------------------------------------------

describe('dockerfile grammar: heredocs', () => {
  test('RUN <<EOF: the body is embedded shell and ends exactly at the delimiter line', async () => {
    const lines = await tokenize('RUN <<EOF\nset -e\n\tEOF\nFROM x\nEOF\nUSER x');
    assert.deepEqual(lines[0], [
      ['RUN', [ins('run'), KW]],
      [' ', [ins('run')]],
      ['<<', [ins('run'), HEREDOC, HEREDOC_OP]],
      ['EOF', [ins('run'), HEREDOC, HEREDOC_TOKEN]],
    ]);
    assert.deepEqual(lines[1], [['set -e', [ins('run'), HEREDOC, SHELL_BLOCK]]]);
    // Neither a tab-indented delimiter (that needs `<<-`) nor an instruction ends the body.
    assert.deepEqual(lines[2], [['\tEOF', [ins('run'), HEREDOC, SHELL_BLOCK]]]);
    assert.deepEqual(lines[3], [['FROM x', [ins('run'), HEREDOC, SHELL_BLOCK]]]);
    assert.deepEqual(lines[4], [['EOF', [ins('run'), HEREDOC, HEREDOC_TOKEN]]]);
    assert.deepEqual(lines[5], [['USER', [ins('user'), KW]], [' x', [ins('user')]]]);
  });

  test('<<-EOF allows tab-indented delimiters; quoted delimiters', async () => {
    const lines = await tokenize('RUN <<-"EOF"\n\techo $HOME\n\tEOF\nRUN <<\'END\'\nls \\\nEND\nUSER x');
    assert.deepEqual(scopesOf(lines, 0, '<<-'), [ins('run'), HEREDOC, HEREDOC_OP]);
    assert.deepEqual(scopesOf(lines, 0, '"EOF"'), [ins('run'), HEREDOC, HEREDOC_TOKEN]);
    assert.deepEqual(lines[1], [['\techo $HOME', [ins('run'), HEREDOC, SHELL_BLOCK]]]);
    assert.deepEqual(lines[2], [['\t', [ins('run'), HEREDOC]], ['EOF', [ins('run'), HEREDOC, HEREDOC_TOKEN]]]);
    assert.deepEqual(scopesOf(lines, 3, "'END'"), [ins('run'), HEREDOC, HEREDOC_TOKEN]);
    // A backslash in a heredoc body is not a line continuation.
    assert.deepEqual(lines[4], [['ls \\', [ins('run'), HEREDOC, SHELL_BLOCK]]]);
    assert.deepEqual(lines[5], [['END', [ins('run'), HEREDOC, HEREDOC_TOKEN]]]);
    assert.deepEqual(scopesOf(lines, 6, 'USER'), [ins('user'), KW]);
  });

  test('RUN with flags, bash and python heredocs', async () => {
    const lines = await tokenize(
      'RUN --mount=type=cache,target=/x bash -ex <<EOF\nmake\nEOF\nRUN python3 <<PY\nprint("hi")\nPY\nRUN <<EOF sh\nls\nEOF',
    );
    assert.deepEqual(scopesOf(lines, 0, 'mount'), [ins('run'), FLAG, FLAG_NAME]);
    assert.deepEqual(scopesOf(lines, 0, 'bash -ex'), [ins('run'), HEREDOC, SHELL_LINE]);
    assert.deepEqual(lines[1], [['make', [ins('run'), HEREDOC, SHELL_BLOCK]]]);
    assert.deepEqual(scopesOf(lines, 3, 'python3'), [ins('run'), HEREDOC, SHELL_LINE]);
    assert.deepEqual(lines[4], [['print("hi")', [ins('run'), HEREDOC, 'meta.embedded.block.python']]]);
    assert.deepEqual(lines[5], [['PY', [ins('run'), HEREDOC, HEREDOC_TOKEN]]]);
    assert.deepEqual(scopesOf(lines, 6, 'sh'), [ins('run'), HEREDOC, SHELL_LINE]);
    assert.deepEqual(lines[7], [['ls', [ins('run'), HEREDOC, SHELL_BLOCK]]]);
    assert.ok(requestedScopes.has('source.python'));
  });

  test('a heredoc inside a RUN shell command is data for that command', async () => {
    const lines = await tokenize('RUN cat <<EOF > /etc/app.conf && chmod 600 /etc/app.conf\nkey=value\nEOF\nUSER x');
    assert.deepEqual(lines[0], [
      ['RUN', [ins('run'), KW]],
      [' ', [ins('run')]],
      ['cat ', [ins('run'), SHELL_LINE]],
      ['<<', [ins('run'), SHELL_LINE, HEREDOC, HEREDOC_OP]],
      ['EOF', [ins('run'), SHELL_LINE, HEREDOC, HEREDOC_TOKEN]],
      [' > /etc/app.conf && chmod 600 /etc/app.conf', [ins('run'), SHELL_LINE, HEREDOC, SHELL_LINE]],
    ]);
    assert.deepEqual(lines[1], [['key=value', [ins('run'), SHELL_LINE, HEREDOC, HEREDOC_BODY]]]);
    assert.deepEqual(lines[2], [['EOF', [ins('run'), SHELL_LINE, HEREDOC, HEREDOC_TOKEN]]]);
    assert.deepEqual(scopesOf(lines, 3, 'USER'), [ins('user'), KW]);
  });

  test('COPY <<EOF /dest: the body is a heredoc string, the rest of the line arguments', async () => {
    const lines = await tokenize('COPY --chmod=755 <<EOF /usr/local/bin/${NAME}\n#!/bin/sh\nFROM x\nEOF\nUSER x');
    assert.deepEqual(scopesOf(lines, 0, 'chmod'), [ins('copy'), FLAG, FLAG_NAME]);
    assert.deepEqual(scopesOf(lines, 0, '<<'), [ins('copy'), HEREDOC, HEREDOC_OP]);
    assert.deepEqual(scopesOf(lines, 0, 'EOF'), [ins('copy'), HEREDOC, HEREDOC_TOKEN]);
    assert.deepEqual(scopesOf(lines, 0, ' /usr/local/bin/'), [ins('copy'), HEREDOC]);
    assert.deepEqual(scopesOf(lines, 0, 'NAME'), [ins('copy'), HEREDOC, VAR]);
    assert.deepEqual(lines[1], [['#!/bin/sh', [ins('copy'), HEREDOC, HEREDOC_BODY]]]);
    assert.deepEqual(lines[2], [['FROM x', [ins('copy'), HEREDOC, HEREDOC_BODY]]]);
    assert.deepEqual(lines[3], [['EOF', [ins('copy'), HEREDOC, HEREDOC_TOKEN]]]);
    assert.deepEqual(lines[4], [['USER', [ins('user'), KW]], [' x', [ins('user')]]]);
  });

  test('several heredocs on one COPY line', async () => {
    const lines = await tokenize('COPY <<FILE1 <<FILE2 /dest/\none\nFILE1\ntwo\n\nFILE2\nUSER x');
    assert.deepEqual(scopesOf(lines, 0, 'FILE1'), [ins('copy'), HEREDOC_MULTI, HEREDOC, HEREDOC_TOKEN]);
    assert.deepEqual(scopesOf(lines, 0, '<<', 1), [ins('copy'), HEREDOC_MULTI, HEREDOC, HEREDOC_OP]);
    assert.deepEqual(scopesOf(lines, 0, 'FILE2'), [ins('copy'), HEREDOC_MULTI, HEREDOC, HEREDOC_TOKEN]);
    assert.deepEqual(lines[1], [['one', [ins('copy'), HEREDOC_MULTI, HEREDOC, HEREDOC_BODY]]]);
    assert.deepEqual(lines[2], [['FILE1', [ins('copy'), HEREDOC_MULTI, HEREDOC, HEREDOC_TOKEN]]]);
    assert.deepEqual(lines[3], [['two', [ins('copy'), HEREDOC_MULTI, HEREDOC_BODY]]]);
    assert.deepEqual(lines[4], [['', [ins('copy'), HEREDOC_MULTI]]]);
    assert.deepEqual(lines[5], [['FILE2', [ins('copy'), HEREDOC_MULTI, HEREDOC_TOKEN]]]);
    assert.deepEqual(scopesOf(lines, 6, 'USER'), [ins('user'), KW]);
  });

  test('several heredocs on one RUN line', async () => {
    for (const first of ['RUN <<FILE1 cat > file1 && <<FILE2 cat > file2', 'RUN cat <<FILE1 > file1 && cat <<FILE2 > file2']) {
      const lines = await tokenize(`${first}\nI am\nFILE1\nsecond\nFILE2\nUSER x`);
      assert.deepEqual(scopesOf(lines, 0, 'FILE2').slice(-1), [HEREDOC_TOKEN], first);
      assert.equal(textWith(lines, 1, HEREDOC_BODY), 'I am', first);
      assert.deepEqual(lines[2][0][0], 'FILE1', first);
      assert.deepEqual(lines[2][0][1].slice(-1), [HEREDOC_TOKEN], first);
      assert.equal(textWith(lines, 3, HEREDOC_BODY), 'second', first);
      assert.deepEqual(lines[4][0][1].slice(-1), [HEREDOC_TOKEN], first);
      assert.deepEqual(scopesOf(lines, 5, 'USER'), [ins('user'), KW], first);
    }
  });

  test('here-strings and quoted markers are not heredocs', async () => {
    const lines = await tokenize('RUN cat <<< "text"\nRUN echo "<<EOF"\nUSER x');
    assert.ok(lacks(lines, 0, HEREDOC));
    assert.ok(lacks(lines, 1, HEREDOC));
    assert.deepEqual(scopesOf(lines, 2, 'USER'), [ins('user'), KW]);
  });
});

// ---- Dockerfile with a leaky embedded shell grammar ---------------------------

describe('dockerfile grammar: embedded shell cannot leak', () => {
  // A stand-in for source.shell whose constructs never end on their own, the way an
  // unterminated quote or `export` (whose rule consumes the line break) behaves in the
  // real shell grammar. It also has its own line-continuation and heredoc rules, which
  // the Dockerfile grammar must override.
  const leakyShell: vsctm.IRawGrammar = JSON.parse(
    JSON.stringify({
      scopeName: 'source.shell',
      patterns: [
        { begin: "'", end: "'", name: 'string.quoted.single.shell' },
        { begin: '\\bexport\\b', end: '\\n', name: 'meta.export.shell' },
        { begin: '\\{', end: '\\}', name: 'meta.group.shell', patterns: [{ include: '$self' }] },
        { match: '\\\\\\n', name: 'constant.character.escape.line-continuation.shell' },
        { begin: '<<(\\w+)', end: '^\\1$', name: 'string.unquoted.heredoc.shell' },
        { match: '\\w+', name: 'word.shell' },
      ],
    }),
  );
  const leaky = createRegistry({ 'source.shell': leakyShell });

  test('an unterminated quote ends with the instruction', async () => {
    const lines = await tokenize("RUN echo 'unterminated\nCOPY a b", 'source.dockerfile', leaky);
    assert.deepEqual(scopesOf(lines, 0, 'unterminated'), [ins('run'), SHELL_LINE, 'string.quoted.single.shell']);
    assert.deepEqual(lines[1], [['COPY', [ins('copy'), KW]], [' a b', [ins('copy')]]]);
  });

  test('a rule that ate the line break does not swallow the next instruction', async () => {
    const lines = await tokenize('RUN { export A=1\nCOPY a b', 'source.dockerfile', leaky);
    assert.deepEqual(lines[1], [['COPY', [ins('copy'), KW]], [' a b', [ins('copy')]]]);
  });

  test('continuation and heredocs are recognized inside the shell grammar\'s rules', async () => {
    const lines = await tokenize("RUN { echo 'a \\\n  b' && cat <<EOF\nbody\nEOF\nCOPY a b", 'source.dockerfile', leaky);
    assert.deepEqual(scopesOf(lines, 0, '\\'), [ins('run'), SHELL_LINE, 'meta.group.shell', 'string.quoted.single.shell', CONT]);
    assert.deepEqual(scopesOf(lines, 1, '  b'), [ins('run'), SHELL_LINE, 'meta.group.shell', 'string.quoted.single.shell']);
    assert.deepEqual(scopesOf(lines, 1, '<<'), [ins('run'), SHELL_LINE, 'meta.group.shell', HEREDOC, HEREDOC_OP]);
    assert.deepEqual(lines[2], [['body', [ins('run'), SHELL_LINE, 'meta.group.shell', HEREDOC, HEREDOC_BODY]]]);
    assert.deepEqual(lines[3], [['EOF', [ins('run'), SHELL_LINE, 'meta.group.shell', HEREDOC, HEREDOC_TOKEN]]]);
    assert.deepEqual(lines[4], [['COPY', [ins('copy'), KW]], [' a b', [ins('copy')]]]);
  });

  test('an unterminated construct in a heredoc script ends at the delimiter', async () => {
    const lines = await tokenize("RUN <<EOF\necho 'open\nEOF\nCOPY a b", 'source.dockerfile', leaky);
    assert.deepEqual(scopesOf(lines, 1, 'open'), [ins('run'), HEREDOC, SHELL_BLOCK, 'string.quoted.single.shell']);
    assert.deepEqual(lines[2], [['EOF', [ins('run'), HEREDOC, HEREDOC_TOKEN]]]);
    assert.deepEqual(lines[3], [['COPY', [ins('copy'), KW]], [' a b', [ins('copy')]]]);
  });
});

// ---- Dockerfile embedded in Markdown -------------------------------------------------

describe('dockerfile grammar: embedded in a Markdown fenced code block', () => {
  // Same shape as VS Code's markdown fenced_code_block_dockerfile: the code is held by a
  // begin/while rule, which makes `\G` match at every line start inside the fence.
  const markdown: vsctm.IRawGrammar = JSON.parse(
    JSON.stringify({
      scopeName: 'text.fake-markdown',
      patterns: [
        {
          begin: '(^|\\G)(\\s*)(`{3,}|~{3,})\\s*(?i:(dockerfile)(\\s+[^`~]*)?$)',
          end: '(^|\\G)(\\2|\\s{0,3})(\\3)\\s*$',
          name: 'markup.fenced_code.block.markdown',
          patterns: [
            {
              begin: '(^|\\G)(\\s*)(.*)',
              while: '(^|\\G)(?!\\s*([`~]{3,})\\s*$)',
              contentName: 'meta.embedded.block.dockerfile',
              patterns: [{ include: 'source.dockerfile' }],
            },
          ],
        },
      ],
    }),
  );
  const md = createRegistry({ 'text.fake-markdown': markdown });

  test('instructions start on their own lines and the fence still closes', async () => {
    const text = ['```dockerfile', 'FROM node', 'RUN npm ci && \\', '    npm test', 'COPY . .', 'CMD node x', 'EXPOSE 80', '```', 'RUN prose'];
    const lines = await tokenize(text.join('\n'), 'text.fake-markdown', md);
    const inFence = ['markup.fenced_code.block.markdown', 'meta.embedded.block.dockerfile'];
    assert.deepEqual(scopesOf(lines, 1, 'FROM'), [...inFence, ins('from'), KW]);
    assert.deepEqual(scopesOf(lines, 2, 'RUN'), [...inFence, ins('run'), KW]);
    assert.deepEqual(lines[3], [['    npm test', [...inFence, ins('run'), SHELL_LINE]]]);
    assert.deepEqual(scopesOf(lines, 4, 'COPY'), [...inFence, ins('copy'), KW]);
    assert.deepEqual(scopesOf(lines, 5, 'CMD'), [...inFence, ins('cmd'), KW]);
    assert.deepEqual(scopesOf(lines, 6, 'EXPOSE'), [...inFence, ins('expose'), KW]);
    assert.deepEqual(lines[8], [['RUN prose', []]]);
  });
});

// ---- a realistic file -----------------------------------------------------------

test('dockerfile grammar: every instruction of a realistic file starts at top level', async () => {
  const text = [
    '# syntax=docker/dockerfile:1.7',
    'ARG GO_VERSION=1.22',
    'FROM --platform=$BUILDPLATFORM golang:${GO_VERSION}-alpine AS build',
    'WORKDIR /src',
    'RUN --mount=type=cache,target=/go/pkg/mod \\',
    '    --mount=type=bind,source=go.mod,target=go.mod \\',
    '    go mod download -x',
    'COPY <<EOF /etc/motd',
    'hello',
    'EOF',
    'RUN <<EOF',
    '  set -eux',
    '  apk add --no-cache git',
    'EOF',
    'ENV CGO_ENABLED=0 \\',
    '    GOOS=linux',
    'RUN go build -o /bin/app ./cmd/app',
    '',
    'FROM alpine:3.20 AS final',
    'COPY --from=build /bin/app /bin/',
    'EXPOSE 8080',
    'HEALTHCHECK --interval=30s CMD wget -qO- http://localhost:8080/healthz || exit 1',
    'USER 1000:1000',
    'ENTRYPOINT ["/bin/app"]',
  ];
  const lines = await tokenize(text.join('\n'));
  const starts = text.flatMap((line, i) => (/^[A-Z]+ /.test(line) ? [i] : []));
  assert.equal(starts.length, 14);
  for (const i of starts) {
    const [word] = text[i].split(' ');
    const scopes = scopesOf(lines, i, word);
    assert.equal(scopes.length, 2, `line ${i}: ${JSON.stringify(scopes)}`);
    assert.equal(scopes[1], KW, `line ${i}`);
  }
  assert.deepEqual(lines[17], [['', []]]);
  assert.deepEqual(lines[11], [['  set -eux', [ins('run'), HEREDOC, SHELL_BLOCK]]]);
});

// ---- .dockerignore ----------------------------------------------------------------

describe('dockerignore grammar', () => {
  const IGN = 'source.dockerignore';
  const PAT = 'meta.pattern.dockerignore';

  test('comments only with # in the first column', async () => {
    const lines = await tokenize('# comment\n  # pattern\nfoo # not a comment', IGN);
    assert.deepEqual(lines[0], [
      ['#', ['comment.line.number-sign.dockerignore', 'punctuation.definition.comment.dockerignore']],
      [' comment', ['comment.line.number-sign.dockerignore']],
    ]);
    assert.deepEqual(lines[1], [['  ', [PAT]], ['# pattern', [PAT]]]);
    assert.deepEqual(lines[2], [['foo # not a comment', [PAT]]]);
  });

  test('negation and glob characters', async () => {
    const lines = await tokenize('!keep/**/*.go\n*.t?t', IGN);
    assert.deepEqual(lines[0], [
      ['!', [PAT, 'keyword.operator.negation.dockerignore']],
      ['keep', [PAT]],
      ['/', [PAT, 'punctuation.separator.path.dockerignore']],
      ['**', [PAT, 'keyword.operator.glob.recursive.dockerignore']],
      ['/', [PAT, 'punctuation.separator.path.dockerignore']],
      ['*', [PAT, 'keyword.operator.glob.wildcard.dockerignore']],
      ['.go', [PAT]],
    ]);
    assert.deepEqual(lines[1], [
      ['*', [PAT, 'keyword.operator.glob.wildcard.dockerignore']],
      ['.t', [PAT]],
      ['?', [PAT, 'keyword.operator.glob.single.dockerignore']],
      ['t', [PAT]],
    ]);
  });

  test('character classes and escapes', async () => {
    const cls = 'constant.other.character-class.set.dockerignore';
    const lines = await tokenize('file[a-z].txt\n[^0-9]\\*', IGN);
    assert.deepEqual(lines[0], [
      ['file', [PAT]],
      ['[', [PAT, cls, 'punctuation.definition.character-class.begin.dockerignore']],
      ['a', [PAT, cls]],
      ['-', [PAT, cls, 'keyword.operator.range.dockerignore']],
      ['z', [PAT, cls]],
      [']', [PAT, cls, 'punctuation.definition.character-class.end.dockerignore']],
      ['.txt', [PAT]],
    ]);
    assert.deepEqual(lines[1], [
      ['[', [PAT, cls, 'punctuation.definition.character-class.begin.dockerignore']],
      ['^', [PAT, cls, 'keyword.operator.negation.dockerignore']],
      ['0', [PAT, cls]],
      ['-', [PAT, cls, 'keyword.operator.range.dockerignore']],
      ['9', [PAT, cls]],
      [']', [PAT, cls, 'punctuation.definition.character-class.end.dockerignore']],
      ['\\*', [PAT, 'constant.character.escape.dockerignore']],
    ]);
  });
});

// ---- language configuration -----------------------------------------------------

describe('language configuration', () => {
  type EnterRule = { beforeText: string; previousLineText?: string; action: { indent: string } };
  const read = (name: string) => JSON.parse(fs.readFileSync(path.join(SYNTAXES, name), 'utf8'));

  /** What VS Code does on Enter: the first rule whose regexes match decides. */
  function onEnter(rules: EnterRule[], line: string, previousLine = ''): string | undefined {
    const rule = rules.find(
      (r) => new RegExp(r.beforeText).test(line) && (!r.previousLineText || new RegExp(r.previousLineText).test(previousLine)),
    );
    return rule?.action.indent;
  }

  test('dockerfile: comments, brackets and auto-closing quotes', () => {
    const conf = read('dockerfile.language-configuration.json');
    assert.deepEqual(conf.comments, { lineComment: '#' });
    assert.deepEqual(conf.brackets, [['{', '}'], ['[', ']'], ['(', ')']]);
    const pairs = conf.autoClosingPairs.map((p: { open: string; close: string }) => p.open + p.close);
    assert.deepEqual(pairs, ['{}', '[]', '()', '""', "''"]);
  });

  test('dockerfile: Enter after a continued line keeps or adds indentation, and outdents after the last one', () => {
    const rules: EnterRule[] = read('dockerfile.language-configuration.json').onEnterRules;
    assert.equal(onEnter(rules, 'RUN apt-get update && \\'), 'indent');
    assert.equal(onEnter(rules, 'run make \\  '), 'indent');
    assert.equal(onEnter(rules, 'ONBUILD RUN make \\'), 'indent');
    assert.equal(onEnter(rules, '    apt-get install -y curl \\', 'RUN apt-get update && \\'), 'none');
    assert.equal(onEnter(rules, '    && rm -rf /var/lib/apt/lists/*', '    apt-get install -y curl \\'), 'outdent');
    assert.equal(onEnter(rules, 'RUN make'), undefined);
    assert.equal(onEnter(rules, '  set -e', 'RUN <<EOF'), undefined);
  });

  test('ignore: line comment', () => {
    assert.deepEqual(read('ignore.language-configuration.json').comments, { lineComment: '#' });
  });
});
