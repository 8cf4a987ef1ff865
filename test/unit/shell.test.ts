import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DockerfileParser, Run } from 'dockerfile-ast';
import type { Range } from 'vscode-languageserver-types';
import { analyseRun, mapLogicalLine, parseJsonArray, TextIndex, tokenizeShell, mapSpan } from '../../server/service/shell';
import type { RunScript, ShellScript, ShellWord } from '../../server/service/shell';

/** The RUN instructions of a Dockerfile, analysed. */
function runs(content: string): RunScript[] {
  const dockerfile = DockerfileParser.parse(content);
  const index = new TextIndex(content);
  return dockerfile
    .getInstructions()
    .filter((i): i is Run => i instanceof Run)
    .map((run) => analyseRun(run, index, dockerfile.getEscapeCharacter()));
}

function tokenize(text: string): ShellScript {
  return tokenizeShell(mapSpan(text, 0, text.length), new TextIndex(text));
}

/** The document text a range covers. */
function at(content: string, range: Range): string {
  const index = new TextIndex(content);
  return content.slice(index.offsetAt(range.start), index.offsetAt(range.end));
}

function r(sl: number, sc: number, el: number, ec: number): Range {
  return { start: { line: sl, character: sc }, end: { line: el, character: ec } };
}

const values = (words: readonly ShellWord[]): string[] => words.map((w) => w.value);

describe('TextIndex', () => {
  it('converts offsets and positions across \\n and \\r\\n', () => {
    const index = new TextIndex('ab\ncd\r\nef');
    assert.deepEqual(index.positionAt(4), { line: 1, character: 1 });
    assert.deepEqual(index.positionAt(7), { line: 2, character: 0 });
    assert.equal(index.offsetAt({ line: 2, character: 1 }), 8);
  });
});

describe('mapLogicalLine', () => {
  it('joins continuation lines, dropping the escape, comment lines and blank lines', () => {
    const content = 'RUN a \\\n  # note\n\n  && b\nRUN c';
    const m = mapLogicalLine(content, 4, content.length, '\\');
    assert.equal(m.text, 'a   && b');
    // "&&" comes from line 3 (offset of "  && b" is 18, "&&" at 20).
    assert.equal(m.starts[4], 20);
    assert.equal(content.slice(m.starts[4], m.ends[5]), '&&');
  });

  it('honours a backtick escape and keeps backslashes as shell text', () => {
    const content = 'RUN echo a\\b `\n  c';
    const m = mapLogicalLine(content, 4, content.length, '`');
    assert.equal(m.text, 'echo a\\b   c');
  });

  it('accepts blanks after the escape character and CRLF line breaks', () => {
    const content = 'RUN a \\ \t\r\n  b\r\n';
    assert.equal(mapLogicalLine(content, 4, content.length, '\\').text, 'a   b');
  });

  it('maps every character to its own document offset, piece by piece', () => {
    const content = 'RUN ab \\\r\n  # c\r\n\r\n  cd \\\n  e';
    const m = mapLogicalLine(content, 4, content.length, '\\');
    assert.equal(m.text, 'ab   cd   e');
    for (let i = 0; i < m.text.length; i++) {
      assert.equal(content[m.startOf(i)], m.text[i], `character ${i}`);
      assert.equal(m.endOf(i), m.startOf(i) + 1);
      assert.equal(m.starts[i], m.startOf(i));
      assert.equal(m.ends[i], m.endOf(i));
    }
    // Asking out of order gives the same answers.
    assert.deepEqual([10, 0, 5, 2].map((i) => m.startOf(i)), [10, 0, 5, 2].map((i) => m.starts[i]));
  });
});

describe('parseJsonArray', () => {
  it('decodes strings and maps escapes to their source characters', () => {
    const content = '["sh", "-c", "echo \\"hi\\""]';
    const elements = parseJsonArray(mapSpan(content, 0, content.length));
    assert.ok(elements);
    assert.deepEqual(elements.map((e) => e.value.text), ['sh', '-c', 'echo "hi"']);
    const script = elements[2];
    assert.equal(content.slice(script.start, script.end), '"echo \\"hi\\""');
    // The decoded quote maps to the two characters \" in the source.
    const quote = script.value.text.indexOf('"');
    assert.equal(content.slice(script.value.starts[quote], script.value.ends[quote]), '\\"');
  });

  it('rejects what Docker treats as shell form', () => {
    for (const text of ['[ -f x ] && y', '["a", 1]', '["a"] b', '["a",]', "['a']"]) {
      assert.equal(parseJsonArray(mapSpan(text, 0, text.length)), null, text);
    }
    assert.deepEqual(parseJsonArray(mapSpan('[]', 0, 2)), []);
  });
});

describe('tokenizeShell', () => {
  it('splits words and records exact ranges', () => {
    const s = tokenize('apt-get  install -y curl');
    assert.equal(s.commands.length, 1);
    assert.deepEqual(values(s.commands[0].words), ['apt-get', 'install', '-y', 'curl']);
    assert.deepEqual(s.commands[0].words[1].range, r(0, 9, 0, 16));
    assert.equal(s.end, 24);
  });

  it('removes quotes but keeps quoted text in one word', () => {
    const s = tokenize(`echo "sudo make" 'a b' x\\ y "$(id -u)" a"b"'c'`);
    const words = s.commands[0].words;
    assert.deepEqual(values(words), ['echo', 'sudo make', 'a b', 'x y', '$(id -u)', 'abc']);
    assert.equal(words[1].quoted, true);
    assert.equal(words[0].quoted, false);
    assert.equal(words[4].expands, true);
    assert.deepEqual(words[1].range, r(0, 5, 0, 16));
  });

  it('does not split inside $(...), ${...} or backticks', () => {
    const s = tokenize('echo $(cd /x && echo ")") ${A:-a b} `a | b`; ls');
    assert.equal(s.commands.length, 2);
    assert.deepEqual(values(s.commands[0].words), ['echo', '$(cd /x && echo ")")', '${A:-a b}', '`a | b`']);
    assert.equal(s.commands[0].next, ';');
    assert.deepEqual(values(s.commands[1].words), ['ls']);
  });

  it('keeps the same range object for a word however often it is asked', () => {
    const s = tokenize('a b');
    const word = s.commands[0].words[1];
    assert.equal(word.range, word.range);
    assert.deepEqual(word.range, r(0, 2, 0, 3));
    assert.equal(s.commands[0].nextRange, null);
  });

  it('reads words that mix plain text, quotes, escapes and expansions', () => {
    const s = tokenize(`a"b$c"'d'\\e$f\`g\`$'h' "$" "\\x" $ a#x y # z`);
    const words = s.commands[0].words;
    assert.deepEqual(values(words), ['ab$cde$f\`g\`h', '$', '\\x', '$', 'a#x', 'y']);
    assert.deepEqual(words.map((w) => [w.quoted, w.expands]), [[true, true], [true, false], [true, false], [false, false], [false, false], [false, false]]);
    assert.equal(s.end, 37);
  });

  it('records the operator joining each command to the next, with its range', () => {
    const s = tokenize('a && b || c; d | e |& f & g');
    assert.deepEqual(
      s.commands.map((c) => c.next),
      ['&&', '||', ';', '|', '|&', '&', null],
    );
    assert.deepEqual(s.commands[3].nextRange, r(0, 15, 0, 16));
    assert.deepEqual(s.commands[1].nextRange, r(0, 7, 0, 9));
  });

  it('takes redirections out of the words', () => {
    const s = tokenize('pip install x>=1 2>&1 >>/log');
    const c = s.commands[0];
    assert.deepEqual(values(c.words), ['pip', 'install', 'x']);
    assert.deepEqual(
      c.redirects.map((x) => [x.fd, x.op, x.target?.value]),
      [[null, '>', '=1'], ['2', '>&', '1'], [null, '>>', '/log']],
    );
    assert.equal(s.end, 28);
  });

  it('ignores comments and reports the end before them', () => {
    const s = tokenize('apt-get update # apt-get install x');
    assert.equal(s.commands.length, 1);
    assert.deepEqual(values(s.commands[0].words), ['apt-get', 'update']);
    assert.equal(s.end, 14);
  });

  it('does not take # inside a word for a comment', () => {
    assert.deepEqual(values(tokenize('echo a#b').commands[0].words), ['echo', 'a#b']);
  });

  it('treats newlines as separators and backslash-newline as a continuation', () => {
    const s = tokenize('a \\\n  b\nc &&\n  d');
    assert.deepEqual(s.commands.map((c) => values(c.words)), [['a', 'b'], ['c'], ['d']]);
    assert.deepEqual(s.commands.map((c) => c.next), ['\n', '&&', null]);
  });

  it('skips the bodies of heredocs opened inside a script', () => {
    const s = tokenize('cat <<CONF > /etc/x\napt-get install foo\nCONF\napt-get update\ncat <<-END\n\tsudo x\n\tEND\nls');
    assert.deepEqual(s.commands.map((c) => values(c.words)), [['cat'], ['apt-get', 'update'], ['cat'], ['ls']]);
  });

  it('treats subshell parentheses as separators', () => {
    const s = tokenize('(cd /x && make) | tee log');
    assert.deepEqual(s.commands.map((c) => values(c.words)), [['cd', '/x'], ['make'], ['tee', 'log']]);
    assert.deepEqual(s.commands.map((c) => c.next), ['&&', ')', null]);
    assert.equal(s.end, 25);
  });
});

describe('analyseRun', () => {
  it('maps words of a continued RUN, with a comment line inside, to the document', () => {
    const content = 'FROM a\nRUN apt-get update \\\n  # install\n  && apt-get install -y curl\n';
    const [run] = runs(content);
    assert.equal(run.form, 'shell');
    assert.equal(run.segments.length, 1);
    const cmds = run.segments[0].script.commands;
    assert.deepEqual(cmds.map((c) => values(c.words)), [['apt-get', 'update'], ['apt-get', 'install', '-y', 'curl']]);
    assert.deepEqual(cmds[1].words[3].range, r(3, 24, 3, 28));
    assert.equal(at(content, cmds[1].words[0].range), 'apt-get');
    assert.deepEqual(new TextIndex(content).positionAt(run.segments[0].script.end ?? -1), { line: 3, character: 28 });
  });

  it('follows a backtick escape directive', () => {
    const content = '# escape=`\nFROM a\nRUN apt-get update `\n  && apt-get install x\n';
    const cmds = runs(content)[0].segments[0].script.commands;
    assert.deepEqual(cmds.map((c) => values(c.words)), [['apt-get', 'update'], ['apt-get', 'install', 'x']]);
    assert.deepEqual(cmds[1].words[2].range, r(3, 21, 3, 22));
  });

  it('does not treat a backslash as a continuation when the escape is a backtick', () => {
    const content = '# escape=`\nFROM a\nRUN echo a \\\nRUN echo b\n';
    const all = runs(content);
    assert.equal(all.length, 2);
    assert.deepEqual(values(all[0].segments[0].script.commands[0].words), ['echo', 'a', '\\']);
  });

  it('analyses a RUN heredoc body as the script, with document positions', () => {
    const content = 'FROM a\nRUN <<EOF\napt-get update\n  apt-get install x\nEOF\n';
    const [run] = runs(content);
    assert.deepEqual(run.segments.map((s) => s.kind), ['line', 'heredoc']);
    const body = run.segments[1].script.commands;
    assert.deepEqual(body.map((c) => values(c.words)), [['apt-get', 'update'], ['apt-get', 'install', 'x']]);
    assert.deepEqual(body[1].words[2].range, r(3, 18, 3, 19));
    assert.equal(run.segments[1].heredoc?.getName(), 'EOF');
  });

  it('analyses `bash <<EOF` and `<<-"EOF" sh -e` bodies as shell', () => {
    const content = 'FROM a\nRUN bash <<EOF\nls\nEOF\nRUN <<-"EOT" sh -e\n\tpwd\n\tEOT\nRUN bash -o pipefail <<EOF\nid\nEOF\n';
    const all = runs(content);
    assert.deepEqual(all.map((s) => s.segments.map((g) => g.kind)), [['line', 'heredoc'], ['line', 'heredoc'], ['line', 'heredoc']]);
    assert.deepEqual(all[1].segments[1].script.commands[0].words[0].range, r(5, 1, 5, 4));
  });

  it('maps a word continued on the next line to both lines', () => {
    const content = 'FROM a\nRUN apt-get ins\\\ntall x\n';
    const words = runs(content)[0].segments[0].script.commands[0].words;
    assert.deepEqual(values(words), ['apt-get', 'install', 'x']);
    assert.deepEqual(words[1].range, r(1, 12, 2, 4));
  });

  it('finds no heredoc where the command line opens none', () => {
    const content = 'FROM a\nRUN echo "<<EOF" \\\n  && cat x\nRUN echo a<<EOF\nb\nEOF\n';
    const all = runs(content);
    assert.deepEqual(all.map((s) => s.segments.map((g) => g.kind)), [['line'], ['line']]);
    assert.deepEqual(values(all[0].segments[0].script.commands[1].words), ['cat', 'x']);
  });

  it('ignores heredoc bodies fed to other programs', () => {
    const content =
      'FROM a\nRUN python3 <<EOF\nimport os\nEOF\nRUN cat <<EOF > /x && apt-get update\napt-get install x\nEOF\nRUN bash -c "echo" <<EOF\nls\nEOF\nRUN bash script.sh <<EOF\nls\nEOF\n';
    const all = runs(content);
    assert.deepEqual(all.map((s) => s.segments.map((g) => g.kind)), [['line'], ['line'], ['line'], ['line']]);
    assert.deepEqual(all[1].segments[0].script.commands.map((c) => values(c.words)), [['cat'], ['apt-get', 'update']]);
  });

  it('honours a shebang in a RUN heredoc', () => {
    const content = 'FROM a\nRUN <<EOF\n#!/usr/bin/env python3\nprint(1)\nEOF\nRUN <<EOF\n#!/bin/bash\nls\nEOF\n';
    const all = runs(content);
    assert.deepEqual(all.map((s) => s.segments.map((g) => g.kind)), [['line'], ['line', 'heredoc']]);
  });

  it('tells scripts run by the stage SHELL from scripts run by a shell the RUN names', () => {
    const content = 'FROM a\nRUN <<EOF\nls\nEOF\nRUN <<EOF\n#!/bin/sh\nls\nEOF\nRUN bash <<EOF\nls\nEOF\nRUN ["bash", "-c", "ls"]\n';
    assert.deepEqual(
      runs(content).map((s) => s.segments.map((g) => g.ownShell)),
      [[false, false], [false, true], [false, true], [true]],
    );
  });

  it('skips unterminated heredocs', () => {
    const [run] = runs('FROM a\nRUN <<EOF\napt-get install x\n');
    assert.deepEqual(run.segments.map((g) => g.kind), ['line']);
  });

  it('analyses the script of an exec-form shell, inside the JSON string', () => {
    const content = 'FROM a\nRUN ["/bin/sh", "-ec", "apt-get update && echo \\"a b\\""]\n';
    const [run] = runs(content);
    assert.equal(run.form, 'exec');
    assert.equal(run.segments[0].kind, 'exec-script');
    const cmds = run.segments[0].script.commands;
    assert.deepEqual(cmds.map((c) => values(c.words)), [['apt-get', 'update'], ['echo', 'a b']]);
    assert.deepEqual(cmds[0].words[0].range, r(1, 24, 1, 31));
    assert.equal(at(content, cmds[1].words[1].range), '\\"a b\\"');
  });

  it('keeps other exec forms as a plain argv with JSON element ranges', () => {
    const content = 'FROM a\nRUN ["apt-get", "install", \\\n  "x"]\n';
    const [run] = runs(content);
    assert.equal(run.segments[0].kind, 'argv');
    const words = run.segments[0].script.commands[0].words;
    assert.deepEqual(values(words), ['apt-get', 'install', 'x']);
    assert.equal(words[0].argv, true);
    assert.deepEqual(words[2].range, r(2, 2, 2, 5));
    assert.equal(run.segments[0].script.end, null);
  });

  it('treats an invalid JSON array as shell form', () => {
    const [run] = runs('FROM a\nRUN [ -f /x ] && apt-get update\n');
    assert.equal(run.form, 'shell');
    assert.deepEqual(run.segments[0].script.commands.map((c) => values(c.words)), [['[', '-f', '/x', ']'], ['apt-get', 'update']]);
  });

  it('starts after RUN flags', () => {
    const content = 'FROM a\nRUN --mount=type=cache,target=/root/.cache pip install x\n';
    const words = runs(content)[0].segments[0].script.commands[0].words;
    assert.deepEqual(values(words), ['pip', 'install', 'x']);
    assert.equal(at(content, words[0].range), 'pip');
  });

  it('works with CRLF line breaks', () => {
    const content = 'FROM a\r\nRUN a \\\r\n  && b\r\nRUN <<EOF\r\nc\r\nEOF\r\n';
    const all = runs(content);
    assert.deepEqual(all[0].segments[0].script.commands.map((c) => values(c.words)), [['a'], ['b']]);
    assert.deepEqual(all[0].segments[0].script.commands[1].words[0].range, r(2, 5, 2, 6));
    assert.deepEqual(all[1].segments[1].script.commands.map((c) => values(c.words)), [['c']]);
  });
});
