// Diagnostics over the real protocol: the built server spawned with --stdio.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { ValidationCode } from 'dockerfile-utils';
import type { Diagnostic, InitializeResult } from 'vscode-languageserver-protocol';
import { FULL_CAPABILITIES, LspClient } from '../support/lspClient';
import { SERVER, withServer } from './harness';

const URI = 'file:///nonexistent/project/Dockerfile';
const codes = (ds: Diagnostic[]) => ds.map((d) => `${d.code}@${d.range.start.line}`).sort();

test('initialize advertises every feature the reference server has, plus references', async () => {
  const client = LspClient.start(process.execPath, [SERVER, '--stdio']);
  try {
    const result: InitializeResult = await client.initialize(FULL_CAPABILITIES);
    const c = result.capabilities;
    assert.equal(result.serverInfo?.name, 'berth-dockerfile');
    for (const key of [
      'completionProvider', 'hoverProvider', 'signatureHelpProvider', 'documentSymbolProvider', 'foldingRangeProvider',
      'documentFormattingProvider', 'documentRangeFormattingProvider', 'documentOnTypeFormattingProvider',
      'documentHighlightProvider', 'definitionProvider', 'referencesProvider', 'renameProvider', 'codeActionProvider',
      'documentLinkProvider', 'semanticTokensProvider',
    ] as const) {
      assert.ok(c[key], `${key} is advertised`);
    }
    assert.deepEqual(c.renameProvider, { prepareProvider: true });
  } finally {
    assert.equal(await client.stop(), 0);
  }
});

test('didOpen publishes dockerfile-utils and best-practice diagnostics, with the document version', async () => {
  await withServer({}, async (client) => {
    const after = client.publishCount(URI);
    await client.notify('textDocument/didOpen', {
      textDocument: { uri: URI, languageId: 'dockerfile', version: 7, text: 'from ubuntu:latest\nADD app.py /app/\n' },
    });
    const published = await client.nextDiagnostics(URI, after);
    assert.equal(published.version, 7);
    assert.deepEqual(codes(published.diagnostics), [`${ValidationCode.CASING_INSTRUCTION}@0`, 'BH002@0', 'BH003@1'].sort());
    const bh3 = published.diagnostics.find((d) => d.code === 'BH003');
    assert.equal(bh3?.source, 'berth');
    assert.deepEqual(bh3?.range, { start: { line: 1, character: 0 }, end: { line: 1, character: 3 } });
  });
});

test('incremental edits are applied and re-validated', async () => {
  await withServer({}, async (client) => {
    const first = await client.open(URI, 'FROM alpine:3.20\nWORKDIR /app\n');
    assert.deepEqual(codes(first), []);
    // Insert "latest" over "3.20" and remove the leading slash of WORKDIR, in one notification.
    const second = await client.change(URI, 2, [
      { range: { start: { line: 0, character: 12 }, end: { line: 0, character: 16 } }, text: 'latest' },
      { range: { start: { line: 1, character: 8 }, end: { line: 1, character: 9 } }, text: '' },
    ]);
    assert.deepEqual(codes(second), ['BH002@0', `${ValidationCode.WORKDIR_IS_NOT_ABSOLUTE}@1`].sort());
    const third = await client.change(URI, 3, [{ text: 'FROM alpine:3.20\n' }]);
    assert.deepEqual(codes(third), []);
  });
});

test('per-check severities from berth.languageserver settings, pulled per document', async () => {
  const settings = {
    berth: {
      languageserver: {
        diagnostics: { instructionCasing: 'error', deprecatedMaintainer: 'ignore' },
        rules: { BH002: 'ignore', DL3020: 'error' },
      },
    },
  };
  await withServer({ settings }, async (client) => {
    const ds = await client.open(URI, 'from ubuntu:latest\nMAINTAINER me\nADD a.txt /a.txt\n');
    const casing = ds.find((d) => d.code === ValidationCode.CASING_INSTRUCTION);
    assert.equal(casing?.severity, 1);
    assert.equal(ds.some((d) => d.code === 'BH002'), false, 'BH002 ignored');
    assert.equal(ds.some((d) => d.code === ValidationCode.DEPRECATED_MAINTAINER), false);
    assert.equal(ds.find((d) => d.code === 'BH003')?.severity, 1, 'DL3020 setting applies to BH003');
    // A configuration change re-validates open documents with the new settings.
    client.settings = { berth: { languageserver: { diagnostics: { instructionCasing: 'ignore' } } } };
    const after = client.publishCount(URI);
    await client.notify('workspace/didChangeConfiguration', { settings: null });
    const next = await client.nextDiagnostics(URI, after);
    assert.equal(next.diagnostics.some((d) => d.code === ValidationCode.CASING_INSTRUCTION), false);
    assert.equal(next.diagnostics.some((d) => d.code === 'BH002'), true);
  });
});

test('clients without workspace/configuration push settings with didChangeConfiguration', async () => {
  const capabilities = { ...FULL_CAPABILITIES, workspace: { applyEdit: true } };
  await withServer({ capabilities }, async (client) => {
    assert.ok((await client.open(URI, 'FROM ubuntu:latest\n')).some((d) => d.code === 'BH002'));
    const after = client.publishCount(URI);
    await client.notify('workspace/didChangeConfiguration', { settings: { berth: { languageserver: { bestPractices: false } } } });
    assert.deepEqual((await client.nextDiagnostics(URI, after)).diagnostics, []);
  });
});

test('# hadolint ignore pragmas and the nearest .hadolint.yaml are honoured', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-hadolint-'));
  try {
    mkdirSync(join(dir, 'svc'));
    writeFileSync(join(dir, '.hadolint.yaml'), 'ignored:\n  - DL3020\n');
    const uri = pathToFileURL(join(dir, 'svc', 'Dockerfile')).href;
    await withServer({}, async (client) => {
      const ds = await client.open(uri, '# hadolint ignore=DL3007\nFROM ubuntu:latest\nADD a.txt /a.txt\nFROM debian:latest\n');
      assert.deepEqual(codes(ds), ['BH002@3']);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a broken .hadolint.yaml is reported to the user and linting goes on', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-hadolint-'));
  try {
    writeFileSync(join(dir, '.hadolint.yaml'), 'ignored: [DL3007\n');
    const uri = pathToFileURL(join(dir, 'Dockerfile')).href;
    await withServer({}, async (client) => {
      const message = new Promise<{ type: number; message: string }>((resolve) =>
        client.connection.onNotification('window/showMessage', resolve),
      );
      const ds = await client.open(uri, 'FROM ubuntu:latest\n');
      assert.deepEqual(codes(ds), ['BH002@0']);
      const shown = await message;
      assert.equal(shown.type, 2);
      assert.match(shown.message, /\.hadolint\.yaml is not valid YAML/);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('heredocs produce no false diagnostics', async () => {
  const text = [
    'FROM alpine:3.20',
    'RUN <<EOF',
    'from lowercase text that looks like an instruction',
    '  ADD not an instruction',
    'apk add --no-cache curl=8.9.1-r1',
    'EOF',
    'COPY <<EOF /etc/motd',
    'MAINTAINER nobody',
    'WORKDIR relative',
    'EOF',
    'COPY <<-A <<B /etc/dest/',
    '\tx',
    '\tA',
    'y',
    'B',
    'RUN python3 <<PY',
    'import os; print(os.getcwd()) | sudo',
    'PY',
    'USER 1000',
    'CMD ["sh"]',
  ].join('\n');
  await withServer({}, async (client) => {
    assert.deepEqual(await client.open(URI, text), []);
  });
});

test('didClose clears the document diagnostics', async () => {
  await withServer({}, async (client) => {
    assert.ok((await client.open(URI, 'FROM ubuntu:latest\n')).length > 0);
    const after = client.publishCount(URI);
    await client.notify('textDocument/didClose', { textDocument: { uri: URI } });
    assert.deepEqual((await client.nextDiagnostics(URI, after)).diagnostics, []);
  });
});
