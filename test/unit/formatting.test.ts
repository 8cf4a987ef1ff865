import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { formatDocument, formatDocumentRange } from '../../server/service/formatting';
import { defaultSettings } from '../../server/service/settings';

const OPTIONS = { tabSize: 4, insertSpaces: true };

function formatted(content: string, continuationIndent: 'preserve' | 'normalize' = 'preserve'): string {
  const settings = { ...defaultSettings().formatter, continuationIndent };
  const edits = formatDocument(content, OPTIONS, settings);
  return TextDocument.applyEdits(TextDocument.create('file:///Dockerfile', 'dockerfile', 1, content), edits);
}

const CONTINUED = ['FROM alpine:3.20', '  RUN apk add \\', '        curl \\', '  git', '   EXPOSE 80', ''].join('\n');

test('by default, instruction lines are de-indented and continuation lines keep their indentation', () => {
  assert.equal(formatted(CONTINUED), ['FROM alpine:3.20', 'RUN apk add \\', '        curl \\', '  git', 'EXPOSE 80', ''].join('\n'));
});

test('continuationIndent: normalize indents continuation lines by one level, as the reference does', () => {
  assert.equal(formatted(CONTINUED, 'normalize'), ['FROM alpine:3.20', 'RUN apk add \\', '    curl \\', '    git', 'EXPOSE 80', ''].join('\n'));
});

test('heredoc bodies are never changed, in either mode', () => {
  const content = [
    'FROM alpine:3.20',
    '  RUN <<EOF',
    '    set -e',
    'echo "  spaced"   ',
    '      FROM not-an-instruction',
    'EOF',
    '  COPY <<-CONF /etc/app.conf',
    '\t\tkey = value',
    '  indented',
    '\tCONF',
    '   CMD ["app"]',
    '',
  ].join('\n');
  for (const mode of ['preserve', 'normalize'] as const) {
    const out = formatted(content, mode).split('\n');
    const lines = content.split('\n');
    assert.equal(out[1], 'RUN <<EOF');
    assert.deepEqual(out.slice(2, 6), lines.slice(2, 6), `RUN heredoc body (${mode})`);
    assert.equal(out[6], 'COPY <<-CONF /etc/app.conf');
    assert.deepEqual(out.slice(7, 10), lines.slice(7, 10), `COPY heredoc body (${mode})`);
    assert.equal(out[10], 'CMD ["app"]');
  }
});

test('range formatting only touches the range and respects the same rules', () => {
  const settings = defaultSettings().formatter;
  const edits = formatDocumentRange(CONTINUED, { start: { line: 1, character: 0 }, end: { line: 3, character: 0 } }, OPTIONS, settings);
  assert.deepEqual(
    edits.map((e) => e.range.start.line),
    [1],
  );
});
