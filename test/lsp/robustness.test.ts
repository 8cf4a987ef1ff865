// Hostile and malformed documents never crash the server: it answers with diagnostics or
// nothing, and keeps serving requests afterwards.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import type { Hover } from 'vscode-languageserver-protocol';
import type { LspClient } from '../support/lspClient';
import { withServer } from './harness';

const URI = 'file:///nonexistent/robust/Dockerfile';

/** The server still answers a request after whatever came before. */
async function stillServing(client: LspClient): Promise<void> {
  const probe = 'file:///nonexistent/robust/probe/Dockerfile';
  await client.open(probe, 'FROM alpine:3.20\nRUN echo ok\n');
  const hover = await client.request<Hover | null>('textDocument/hover', { textDocument: { uri: probe }, position: { line: 1, character: 1 } });
  assert.ok(hover, 'hover answers');
  assert.equal(client.process.exitCode, null, `server exited; stderr: ${client.stderr}`);
}

async function exercise(client: LspClient, text: string): Promise<void> {
  const diagnostics = await client.open(URI, text);
  assert.ok(Array.isArray(diagnostics));
  const lines = text.split('\n').length;
  // Every request kind at a few positions, including past the end of the document.
  for (const position of [{ line: 0, character: 0 }, { line: Math.floor(lines / 2), character: 3 }, { line: lines + 5, character: 99 }]) {
    const at = { textDocument: { uri: URI }, position };
    await client.request('textDocument/completion', at);
    await client.request('textDocument/hover', at);
    await client.request('textDocument/signatureHelp', at);
    await client.request('textDocument/documentHighlight', at);
    await client.request('textDocument/definition', at);
    await client.request('textDocument/references', { ...at, context: { includeDeclaration: true } });
    await client.request('textDocument/prepareRename', at);
  }
  const doc = { textDocument: { uri: URI } };
  await client.request('textDocument/documentSymbol', doc);
  await client.request('textDocument/foldingRange', doc);
  await client.request('textDocument/semanticTokens/full', doc);
  await client.request('textDocument/documentLink', doc);
  await client.request('textDocument/formatting', { ...doc, options: { tabSize: 4, insertSpaces: true } });
  await client.request('textDocument/codeAction', {
    ...doc,
    range: { start: { line: 0, character: 0 }, end: { line: lines, character: 0 } },
    context: { diagnostics },
  });
  await client.notify('textDocument/didClose', doc);
  await stillServing(client);
}

test('binary garbage', async () => {
  await withServer({}, async (client) => {
    // Deterministic garbage: a fixed seed would need a PRNG; random bytes plus a fixed block suffice,
    // since any input must be survivable.
    const garbage = Buffer.concat([Buffer.from([0, 1, 2, 0xff, 0xfe, 0x1b, 0x5c, 0x0a, 0x60]), randomBytes(64 * 1024)]).toString('latin1');
    await exercise(client, garbage);
  });
});

test('a 5 MB Dockerfile gets one diagnostic saying it is too large, and every request still answers', async () => {
  const block = [
    'FROM debian:bookworm AS s',
    'ARG V=1',
    'RUN apt-get update && apt-get install -y curl \\',
    '    && rm -rf /var/lib/apt/lists/*',
    'COPY --from=s /a /b',
    'ENV X=$V',
    '',
  ].join('\n');
  const text = block.repeat(Math.ceil((5 * 1024 * 1024) / block.length));
  assert.ok(text.length >= 5 * 1024 * 1024);
  await withServer({}, async (client) => {
    const diagnostics = await client.open(URI, text);
    assert.equal(diagnostics.length, 1);
    assert.equal(diagnostics[0].code, 'too-large');
    assert.match(diagnostics[0].message, /This file is 5\.0 MB; berth analyses Dockerfiles up to 512 KB/);
    await client.notify('textDocument/didClose', { textDocument: { uri: URI } });
    await exercise(client, text);
  });
});

test('a large but realistic Dockerfile just under the limit is fully analysed', async () => {
  const lines = ['FROM debian:bookworm-slim AS build', 'ARG VERSION=1'];
  for (let i = 0; lines.join('\n').length < 500 * 1024; i++) {
    lines.push(`RUN apt-get install -y pkg${i} && \\`, `    echo $VERSION > /v${i}`, `COPY src${i}/ /app/src${i}/`);
  }
  lines.push('FROM debian:latest', 'COPY --from=build /app /app');
  await withServer({}, async (client) => {
    const diagnostics = await client.open(URI, lines.join('\n'));
    assert.ok(diagnostics.some((d) => d.code === 'BH002'), 'latest base image is reported');
    assert.ok(diagnostics.some((d) => d.code === 'BH021'), 'apt-get rules ran');
    await stillServing(client);
  });
});

test('unterminated heredocs', async () => {
  await withServer({}, async (client) => {
    for (const text of [
      'FROM alpine:3.20\nRUN <<EOF\necho never ends\n',
      'FROM alpine:3.20\nCOPY <<A <<B /x\nA\n',
      'FROM alpine:3.20\nRUN <<\n',
      'FROM alpine:3.20\nRUN <<-"EOF\n\tEOF\n',
      'RUN <<EOF',
    ]) {
      await exercise(client, text);
    }
  });
});

test('invalid UTF-8 on the wire and lone surrogates', async () => {
  await withServer({}, async (client) => {
    // A didOpen whose JSON body carries bytes that are not UTF-8, written raw to the server.
    const head = Buffer.from(`{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"${URI}","languageId":"dockerfile","version":1,"text":"FROM alpine:3.20\\nRUN echo `);
    const tail = Buffer.from(`\\n"}}}`);
    const body = Buffer.concat([head, Buffer.from([0xc3, 0x28, 0xff, 0xa0, 0xa1, 0xed, 0xa0, 0x80]), tail]);
    const after = client.publishCount(URI);
    client.process.stdin!.write(Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`), body]));
    const published = await client.nextDiagnostics(URI, after);
    assert.ok(Array.isArray(published.diagnostics));
    await client.notify('textDocument/didClose', { textDocument: { uri: URI } });
    await exercise(client, 'FROM alpine:3.20\nRUN echo \ud800 \udfff x\nLABEL a="\uffff\ud83d"\n');
  });
});
