// Editing features over the real protocol: completion, hover, signature help, symbols,
// folding, highlights, definition, references, rename, links, semantic tokens, formatting
// and code actions.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type {
  CodeAction,
  CompletionItem,
  CompletionList,
  Diagnostic,
  DocumentHighlight,
  DocumentLink,
  FoldingRange,
  Hover,
  Location,
  Range,
  SemanticTokens,
  SignatureHelp,
  SymbolInformation,
  TextEdit,
  WorkspaceEdit,
} from 'vscode-languageserver-protocol';
import { LOCAL_IMAGES_REQUEST, type LocalImage } from '../../server/protocol';
import type { LspClient } from '../support/lspClient';
import { withServer } from './harness';

const URI = 'file:///nonexistent/features/Dockerfile';
const DOC = [
  'ARG BASE=alpine:3.20', // 0
  'FROM $BASE AS build', // 1
  'ARG VERSION=1', // 2
  'ENV APP_VERSION=$VERSION', // 3
  'RUN echo $VERSION && \\', // 4
  '    make', // 5
  'FROM build AS final', // 6
  'COPY --from=build /out /out', // 7
  '', // 8
].join('\n');

const pos = (line: number, character: number) => ({ line, character });
const tdp = (line: number, character: number) => ({ textDocument: { uri: URI }, position: pos(line, character) });
const labels = (r: CompletionItem[] | CompletionList | null) => (Array.isArray(r) ? r : (r?.items ?? [])).map((i) => i.label);
const span = (r: Range) => `${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}`;

async function opened(client: LspClient, text = DOC): Promise<Diagnostic[]> {
  return client.open(URI, text);
}

test('completion: instructions, variables, flags and stage names', async () => {
  await withServer({}, async (client) => {
    await opened(client);
    // With snippet support, items are snippets labelled like `FROM baseImage`.
    const instructions = labels(await client.request('textDocument/completion', tdp(8, 0))).map((l) => l.split(' ')[0]);
    for (const keyword of ['FROM', 'RUN', 'COPY', 'HEALTHCHECK', 'ENTRYPOINT']) assert.ok(instructions.includes(keyword), keyword);
    // Variables of the stage the cursor is in (ARG and ENV of the first stage, plus the proxies).
    await client.change(URI, 2, [{ range: { start: pos(6, 0), end: pos(6, 0) }, text: 'RUN echo $\n' }]);
    const variables = labels(await client.request('textDocument/completion', tdp(6, 10)));
    assert.ok(variables.includes('${VERSION}'), `variables: ${variables}`);
    assert.ok(variables.includes('${APP_VERSION}'));
    assert.ok(variables.includes('${HTTP_PROXY}'));
    assert.equal(variables.includes('${BASE}'), false, 'a global ARG is not visible in a stage');
    await client.change(URI, 3, [{ range: { start: pos(6, 0), end: pos(7, 0) }, text: '' }]);
    await client.change(URI, 4, [{ range: { start: pos(8, 0), end: pos(8, 0) }, text: 'COPY --' }]);
    const flags = labels(await client.request('textDocument/completion', tdp(8, 7)));
    assert.ok(flags.some((f) => f.startsWith('--from')), `flags: ${flags}`);
    assert.ok(flags.some((f) => f.startsWith('--chown')));
    await client.change(URI, 5, [{ range: { start: pos(8, 0), end: pos(8, 7) }, text: 'COPY --from=' }]);
    const stages = labels(await client.request('textDocument/completion', tdp(8, 12)));
    assert.ok(stages.includes('build'), `stages: ${stages}`);
  });
});

test('completion after FROM offers the agent\'s local images when the client provides them', async () => {
  const images: LocalImage[] = [{ reference: 'busybox:latest', id: 'sha256:abc', size: 4_000_000 }, { reference: 'debian:bookworm' }];
  await withServer({ initializationOptions: { localImages: true } }, async (client) => {
    let asked = 0;
    client.connection.onRequest(LOCAL_IMAGES_REQUEST, () => {
      asked++;
      return images;
    });
    await opened(client, 'FROM alpine:3.20 AS base\nFROM \n');
    const items = labels(await client.request('textDocument/completion', tdp(1, 5)));
    assert.deepEqual(items, ['base', 'busybox:latest', 'debian:bookworm', 'scratch']);
    assert.equal(asked, 1);
  });
});

test('completion after FROM without an agent offers stages and scratch, and never asks the client', async () => {
  await withServer({}, async (client) => {
    client.connection.onRequest(LOCAL_IMAGES_REQUEST, () => assert.fail('the server must not ask a client that did not opt in'));
    await opened(client, 'FROM alpine:3.20 AS base\nFROM busybox:\n');
    assert.deepEqual(labels(await client.request('textDocument/completion', tdp(1, 5))), ['base', 'scratch']);
    // Inside a tag: nothing local matches, and no request leaves the machine.
    assert.deepEqual(labels(await client.request('textDocument/completion', tdp(1, 13))), []);
  });
});

test('hover and signature help', async () => {
  await withServer({}, async (client) => {
    await opened(client);
    const hover = await client.request<Hover | null>('textDocument/hover', tdp(4, 1));
    assert.ok(hover && typeof hover.contents === 'object' && 'value' in hover.contents);
    assert.match((hover.contents as { value: string }).value, /Execute any commands/);
    const help = await client.request<SignatureHelp | null>('textDocument/signatureHelp', tdp(7, 5));
    assert.ok(help && help.signatures.length > 0, 'COPY has signatures');
  });
});

test('document symbols, folding and semantic tokens', async () => {
  await withServer({}, async (client) => {
    await opened(client);
    const symbols = await client.request<SymbolInformation[]>('textDocument/documentSymbol', { textDocument: { uri: URI } });
    assert.deepEqual(symbols.map((s) => s.name), ['ARG', 'FROM', 'ARG', 'ENV', 'RUN', 'FROM', 'COPY']);
    const folding = await client.request<FoldingRange[]>('textDocument/foldingRange', { textDocument: { uri: URI } });
    assert.ok(folding.some((f) => f.startLine === 4 && f.endLine === 5), 'the continued RUN folds');
    const tokens = await client.request<SemanticTokens>('textDocument/semanticTokens/full', { textDocument: { uri: URI } });
    assert.ok(tokens.data.length > 0 && tokens.data.length % 5 === 0);
  });
});

test('highlights, definition, references and rename of a stage', async () => {
  await withServer({}, async (client) => {
    await opened(client);
    const highlights = await client.request<DocumentHighlight[]>('textDocument/documentHighlight', tdp(7, 14));
    assert.deepEqual(highlights.map((h) => span(h.range)), ['1:14-1:19', '6:5-6:10', '7:12-7:17']);
    const definition = await client.request<Location>('textDocument/definition', tdp(7, 14));
    assert.equal(span(definition.range), '1:14-1:19');
    const references = await client.request<Location[]>('textDocument/references', { ...tdp(6, 6), context: { includeDeclaration: true } });
    assert.deepEqual(references.map((l) => `${l.uri} ${span(l.range)}`), [
      `${URI} 1:14-1:19`,
      `${URI} 6:5-6:10`,
      `${URI} 7:12-7:17`,
    ]);
    const refsNoDecl = await client.request<Location[]>('textDocument/references', { ...tdp(3, 18), context: { includeDeclaration: false } });
    assert.deepEqual(refsNoDecl.map((l) => span(l.range)), ['3:17-3:24', '4:10-4:17']);
    const prepared = await client.request<Range>('textDocument/prepareRename', tdp(1, 15));
    assert.equal(span(prepared), '1:14-1:19');
    const edit = await client.request<WorkspaceEdit>('textDocument/rename', { ...tdp(1, 15), newName: 'builder' });
    const applied = TextDocument.applyEdits(TextDocument.create(URI, 'dockerfile', 1, DOC), edit.changes?.[URI] ?? []);
    assert.match(applied, /FROM \$BASE AS builder\n/);
    assert.match(applied, /FROM builder AS final\nCOPY --from=builder \/out/);
  });
});

test('document links point at the image registries', async () => {
  await withServer({}, async (client) => {
    await opened(client, 'FROM alpine:3.20\nFROM ghcr.io/owner/tool:1\n');
    const links = await client.request<DocumentLink[]>('textDocument/documentLink', { textDocument: { uri: URI } });
    assert.equal(links.length, 2);
    const resolved = await Promise.all(links.map((l) => client.request<DocumentLink>('documentLink/resolve', l)));
    assert.deepEqual(resolved.map((l) => l.target), ['https://hub.docker.com/_/alpine/', 'https://github.com/owner/tool/pkgs/container/tool']);
  });
});

test('formatting keeps continuation indentation by default and normalises when asked', async () => {
  const text = 'FROM alpine:3.20\n   RUN a \\\n         b\n';
  const apply = (edits: TextEdit[]) => TextDocument.applyEdits(TextDocument.create(URI, 'dockerfile', 1, text), edits);
  await withServer({}, async (client) => {
    await opened(client, text);
    const edits = await client.request<TextEdit[]>('textDocument/formatting', { textDocument: { uri: URI }, options: { tabSize: 4, insertSpaces: true } });
    assert.equal(apply(edits), 'FROM alpine:3.20\nRUN a \\\n         b\n');
  });
  const settings = { berth: { languageserver: { formatter: { continuationIndent: 'normalize' } } } };
  await withServer({ settings }, async (client) => {
    await opened(client, text);
    const edits = await client.request<TextEdit[]>('textDocument/formatting', { textDocument: { uri: URI }, options: { tabSize: 2, insertSpaces: true } });
    assert.equal(apply(edits), 'FROM alpine:3.20\nRUN a \\\n  b\n');
    const range = await client.request<TextEdit[]>('textDocument/rangeFormatting', {
      textDocument: { uri: URI },
      range: { start: pos(1, 0), end: pos(1, 5) },
      options: { tabSize: 2, insertSpaces: true },
    });
    assert.deepEqual(range.map((e) => e.range.start.line), [1]);
  });
});

test('code actions: the library fixes as edits, berth fixes, and ignore-this-rule', async () => {
  await withServer({}, async (client) => {
    const text = 'from alpine:3.20\nADD app.py /app/\n';
    const diagnostics = await opened(client, text);
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri: URI },
      range: { start: pos(0, 0), end: pos(1, 3) },
      context: { diagnostics },
    });
    const titles = actions.map((a) => a.title);
    assert.ok(titles.includes('Convert instruction to uppercase'), `titles: ${titles}`);
    assert.ok(titles.includes('Ignore BH003 for this instruction'));
    const apply = (title: string) => {
      const action = actions.find((a) => a.title === title);
      assert.ok(action?.edit?.changes?.[URI], `${title} has an edit`);
      assert.equal(action.kind, 'quickfix');
      return TextDocument.applyEdits(TextDocument.create(URI, 'dockerfile', 1, text), action.edit.changes[URI]);
    };
    assert.equal(apply('Convert instruction to uppercase'), 'FROM alpine:3.20\nADD app.py /app/\n');
    const copyFix = actions.find((a) => a.diagnostics?.[0]?.code === 'BH003' && a.isPreferred);
    assert.ok(copyFix, 'BH003 has a preferred fix');
    assert.equal(apply(copyFix.title), 'from alpine:3.20\nCOPY app.py /app/\n');
    const ignored = apply('Ignore BH003 for this instruction');
    assert.equal(ignored, 'from alpine:3.20\n# berth ignore=BH003\nADD app.py /app/\n');
    // The pragma the action wrote silences the rule.
    const after = await client.change(URI, 2, [{ text: ignored }]);
    assert.equal(after.some((d) => d.code === 'BH003'), false);
  });
});

test('on-type formatting after a continuation character indents only a fresh line', async () => {
  await withServer({}, async (client) => {
    const text = 'FROM alpine:3.20\nRUN apk add \\\ncurl\n';
    await opened(client, text);
    const edits = await client.request<TextEdit[]>('textDocument/onTypeFormatting', {
      textDocument: { uri: URI },
      position: pos(1, 13),
      ch: '\\',
      options: { tabSize: 4, insertSpaces: true },
    });
    const applied = TextDocument.applyEdits(TextDocument.create(URI, 'dockerfile', 1, text), edits);
    assert.equal(applied, 'FROM alpine:3.20\nRUN apk add \\\n    curl\n');
    // A continuation line the user already indented is left as it is.
    const indented = 'FROM alpine:3.20\nRUN apk add \\\n  curl\n';
    await client.change(URI, 2, [{ text: indented }]);
    const none = await client.request<TextEdit[]>('textDocument/onTypeFormatting', {
      textDocument: { uri: URI },
      position: pos(1, 13),
      ch: '\\',
      options: { tabSize: 4, insertSpaces: true },
    });
    assert.deepEqual(none, []);
  });
});
