// The Dockerfile language server process: wires an LSP connection (stdio, node IPC or a
// socket, chosen by the command line as vscode-languageserver does) to BerthLanguageService.
// Everything Dockerfile-specific lives in ./service; this file only routes messages.
import {
  createConnection,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  MessageType,
  ProposedFeatures,
  SemanticTokenModifiers,
  SemanticTokenTypes,
  ShowMessageNotification,
  TextDocuments,
  TextDocumentSyncKind,
  type ClientCapabilities,
  type InitializeParams,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { fileURLToPath } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { version } from '../package.json';
import { HadolintConfigLoader } from './hadolintConfigLoader';
import { LOCAL_IMAGES_REQUEST, type InitializationOptions, type LocalImage } from './protocol';
import { EMPTY_HADOLINT_CONFIG } from './service/hadolintConfig';
import type { ImageProvider } from './service/imageCompletion';
import { BerthLanguageService } from './service/languageService';
import { defaultSettings, normalizeSettings, type BerthSettings } from './service/settings';

const SETTINGS_SECTION = 'berth.languageserver';

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
const logger = { log: (message: string) => connection.console.log(message) };

let configurationSupport = false;
let clientHasLocalImages = false;
let pushedSettings: BerthSettings = defaultSettings();
const settingsCache = new Map<string, Promise<BerthSettings>>();

const images: ImageProvider = {
  async listImages() {
    if (!clientHasLocalImages) return [];
    const result = await connection.sendRequest<LocalImage[] | null>(LOCAL_IMAGES_REQUEST);
    return Array.isArray(result) ? result.filter((i) => i && typeof i.reference === 'string') : [];
  },
};

const service = new BerthLanguageService({ images, logger });
// A notification, not window/showMessageRequest: nothing to wait for, and clients that do not
// implement requests for messages still show it.
const hadolint = new HadolintConfigLoader((_path, message) => {
  logger.log(message);
  void connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Warning, message });
});

// A failed promise somewhere (a client that rejects a request, a library bug) must cost one
// answer, never the whole server.
process.on('unhandledRejection', (reason) => {
  logger.log(`unhandled rejection: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`);
});

function settingsFor(uri: string): Promise<BerthSettings> {
  if (!configurationSupport) return Promise.resolve(pushedSettings);
  let cached = settingsCache.get(uri);
  if (!cached) {
    cached = connection.workspace
      .getConfiguration({ scopeUri: uri, section: SETTINGS_SECTION })
      .then(normalizeSettings, () => defaultSettings());
    settingsCache.set(uri, cached);
  }
  return cached;
}

function hadolintFor(uri: string) {
  if (!uri.startsWith('file:')) return EMPTY_HADOLINT_CONFIG;
  try {
    return hadolint.configFor(fileURLToPath(uri));
  } catch {
    return EMPTY_HADOLINT_CONFIG; // a file: URI Node cannot map to a path (e.g. a UNC host)
  }
}

// Validation is coalesced per document: a burst of changes validates only the latest text,
// without adding a timer's delay to the first one.
const pending = new Set<string>();
function scheduleValidation(uri: string): void {
  if (pending.has(uri)) return;
  pending.add(uri);
  setImmediate(() => {
    pending.delete(uri);
    void validate(uri);
  });
}

async function validate(uri: string): Promise<void> {
  const document = documents.get(uri);
  if (!document) return;
  try {
    const settings = await settingsFor(uri);
    const current = documents.get(uri);
    if (!current || current.version !== document.version) return; // a newer run is scheduled
    const diagnostics = service.validate(current.getText(), settings, hadolintFor(uri));
    await connection.sendDiagnostics({ uri, version: current.version, diagnostics });
  } catch (e) {
    logger.log(`validating ${uri} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  }
}

function revalidateAll(): void {
  settingsCache.clear();
  for (const document of documents.all()) scheduleValidation(document.uri);
}

function serviceCapabilities(capabilities: ClientCapabilities) {
  const text = capabilities.textDocument;
  const rangeLimit = text?.foldingRange?.rangeLimit;
  return {
    completion: {
      completionItem: {
        deprecatedSupport: text?.completion?.completionItem?.deprecatedSupport,
        documentationFormat: text?.completion?.completionItem?.documentationFormat,
        snippetSupport: text?.completion?.completionItem?.snippetSupport,
      },
    },
    hover: { contentFormat: text?.hover?.contentFormat },
    foldingRange: {
      lineFoldingOnly: text?.foldingRange?.lineFoldingOnly,
      rangeLimit: typeof rangeLimit === 'number' ? rangeLimit : Number.MAX_VALUE,
    },
  };
}

let watchFilesDynamically = false;

connection.onInitialize((params: InitializeParams): InitializeResult => {
  const capabilities = params.capabilities;
  service.setCapabilities(serviceCapabilities(capabilities));
  configurationSupport = capabilities.workspace?.configuration === true;
  watchFilesDynamically = capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
  const options = (params.initializationOptions ?? {}) as InitializationOptions;
  clientHasLocalImages = options.localImages === true;
  return {
    serverInfo: { name: 'berth-dockerfile', version },
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      completionProvider: { resolveProvider: true, triggerCharacters: ['=', ' ', '$', '-', ':'] },
      hoverProvider: true,
      signatureHelpProvider: { triggerCharacters: ['-', '[', ',', ' ', '='] },
      documentSymbolProvider: true,
      foldingRangeProvider: true,
      documentFormattingProvider: true,
      documentRangeFormattingProvider: true,
      documentOnTypeFormattingProvider: { firstTriggerCharacter: '\\', moreTriggerCharacter: ['`'] },
      documentHighlightProvider: true,
      definitionProvider: true,
      referencesProvider: true,
      renameProvider: capabilities.textDocument?.rename?.prepareSupport ? { prepareProvider: true } : true,
      codeActionProvider: { codeActionKinds: ['quickfix'] },
      documentLinkProvider: { resolveProvider: true },
      semanticTokensProvider: {
        full: { delta: false },
        legend: {
          // The order the library's token encoder assumes (it mirrors the reference server).
          tokenTypes: [
            SemanticTokenTypes.keyword,
            SemanticTokenTypes.comment,
            SemanticTokenTypes.parameter,
            SemanticTokenTypes.property,
            SemanticTokenTypes.namespace,
            SemanticTokenTypes.class,
            SemanticTokenTypes.macro,
            SemanticTokenTypes.string,
            SemanticTokenTypes.variable,
            SemanticTokenTypes.operator,
          ],
          tokenModifiers: [SemanticTokenModifiers.declaration, SemanticTokenModifiers.definition, SemanticTokenModifiers.deprecated],
        },
      },
    },
  };
});

connection.onInitialized(() => {
  if (configurationSupport) void connection.client.register(DidChangeConfigurationNotification.type, undefined);
  if (watchFilesDynamically) {
    void connection.client.register(DidChangeWatchedFilesNotification.type, {
      watchers: [{ globPattern: '**/{.hadolint.yaml,.hadolint.yml}' }],
    });
  }
});

connection.onDidChangeConfiguration((change) => {
  if (!configurationSupport) {
    const root = (change.settings ?? {}) as { berth?: { languageserver?: unknown } };
    pushedSettings = normalizeSettings(root.berth?.languageserver);
  }
  revalidateAll();
});

connection.onDidChangeWatchedFiles(() => revalidateAll());

documents.onDidOpen((e) => scheduleValidation(e.document.uri));
documents.onDidChangeContent((e) => scheduleValidation(e.document.uri));
documents.onDidClose((e) => {
  settingsCache.delete(e.document.uri);
  void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
});

const text = (uri: string): string | undefined => documents.get(uri)?.getText();

connection.onCompletion(async ({ textDocument, position }) => {
  const content = text(textDocument.uri);
  return content === undefined ? null : service.completion(content, position);
});
connection.onCompletionResolve((item) => service.resolveCompletion(item));
connection.onHover(({ textDocument, position }) => {
  const content = text(textDocument.uri);
  return content === undefined ? null : service.hover(content, position);
});
connection.onSignatureHelp(({ textDocument, position }) => {
  const content = text(textDocument.uri);
  return content === undefined ? null : service.signatureHelp(content, position);
});
connection.onDocumentSymbol(({ textDocument }) => {
  const content = text(textDocument.uri);
  return content === undefined ? [] : service.symbols(textDocument.uri, content);
});
connection.onFoldingRanges(({ textDocument }) => {
  const content = text(textDocument.uri);
  return content === undefined ? [] : service.folding(content);
});
connection.onDocumentHighlight(({ textDocument, position }) => {
  const content = text(textDocument.uri);
  return content === undefined ? [] : service.highlights(content, position);
});
connection.onDefinition(({ textDocument, position }) => {
  const content = text(textDocument.uri);
  return content === undefined ? null : service.definition(textDocument.uri, content, position);
});
connection.onReferences(({ textDocument, position, context }) => {
  const content = text(textDocument.uri);
  return content === undefined ? [] : service.references(textDocument.uri, content, position, context.includeDeclaration);
});
connection.onPrepareRename(({ textDocument, position }) => {
  const content = text(textDocument.uri);
  return content === undefined ? null : service.prepareRename(content, position);
});
connection.onRenameRequest(({ textDocument, position, newName }) => {
  const content = text(textDocument.uri);
  return content === undefined ? null : service.rename(textDocument.uri, content, position, newName);
});
connection.onDocumentLinks(({ textDocument }) => {
  const content = text(textDocument.uri);
  return content === undefined ? [] : service.links(content);
});
connection.onDocumentLinkResolve((link) => service.resolveLink(link));
connection.languages.semanticTokens.on(({ textDocument }) => {
  const content = text(textDocument.uri);
  return content === undefined ? { data: [] } : service.semanticTokens(content);
});
connection.onDocumentFormatting(async ({ textDocument, options }) => {
  const content = text(textDocument.uri);
  return content === undefined ? [] : service.format(content, options, await settingsFor(textDocument.uri));
});
connection.onDocumentRangeFormatting(async ({ textDocument, range, options }) => {
  const content = text(textDocument.uri);
  return content === undefined ? [] : service.formatRange(content, range, options, await settingsFor(textDocument.uri));
});
connection.onDocumentOnTypeFormatting(async ({ textDocument, position, ch, options }) => {
  const content = text(textDocument.uri);
  return content === undefined ? [] : service.formatOnType(content, position, ch, options, await settingsFor(textDocument.uri));
});
connection.onCodeAction(({ textDocument, context }) => {
  const content = text(textDocument.uri);
  return content === undefined ? [] : service.codeActions(textDocument.uri, content, context.diagnostics);
});

documents.listen(connection);
connection.listen();
