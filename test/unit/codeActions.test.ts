import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { BerthLanguageService } from '../../server/service/languageService';
import { defaultSettings } from '../../server/service/settings';

const URI = 'file:///w/Dockerfile';
const service = new BerthLanguageService();

function applyAction(content: string, title: string): string {
  const diagnostics = service.validate(content, defaultSettings());
  const action = service.codeActions(URI, content, diagnostics).find((a) => a.title === title);
  assert.ok(action?.edit?.changes?.[URI], `an action titled ${title}`);
  return TextDocument.applyEdits(TextDocument.create(URI, 'dockerfile', 1, content), action.edit.changes[URI]);
}

test('the ignore pragma keeps the instruction indentation and the file line endings', () => {
  assert.equal(applyAction('FROM alpine:3.20\r\n  ADD a.txt /a.txt\r\n', 'Ignore BH003 for this instruction'), 'FROM alpine:3.20\r\n  # berth ignore=BH003\r\n  ADD a.txt /a.txt\r\n');
});

test('a second ignore joins the berth pragma already above the instruction', () => {
  const content = 'FROM alpine:3.20\n# berth ignore=BH029\nADD a.txt /a.txt\n';
  assert.equal(applyAction(content, 'Ignore BH003 for this instruction'), 'FROM alpine:3.20\n# berth ignore=BH029,BH003\nADD a.txt /a.txt\n');
});

test('every fix offered for the example Dockerfile resolves its own diagnostic', () => {
  const content = ['FROM ubuntu:22.04', 'ADD app.py /app/', 'RUN apt-get update && apt-get install curl', 'CMD python app.py', ''].join('\n');
  const diagnostics = service.validate(content, defaultSettings());
  const fixes = service.codeActions(URI, content, diagnostics).filter((a) => a.isPreferred);
  assert.ok(fixes.length >= 3, `fixes: ${fixes.map((f) => f.title)}`);
  for (const fix of fixes) {
    const code = fix.diagnostics?.[0]?.code;
    const after = TextDocument.applyEdits(TextDocument.create(URI, 'dockerfile', 1, content), fix.edit!.changes![URI]);
    const remaining = service.validate(after, defaultSettings()).filter((d) => d.code === code);
    const before = diagnostics.filter((d) => d.code === code);
    assert.equal(remaining.length, before.length - 1, `${fix.title} resolves one ${code}`);
  }
});
