// A small LSP client for tests and benchmarks: spawns a server, speaks JSON-RPC over its
// stdio, answers the server's own requests, and lets callers wait for diagnostics.
import { spawn, type ChildProcess } from 'node:child_process';
import {
  createMessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type MessageConnection,
} from 'vscode-jsonrpc/node';
import type {
  ClientCapabilities,
  Diagnostic,
  InitializeResult,
  PublishDiagnosticsParams,
  TextDocumentContentChangeEvent,
} from 'vscode-languageserver-protocol';

type Waiter = { uri: string; after: number; resolve: (p: PublishDiagnosticsParams) => void };

export interface StartOptions {
  /** Settings returned for workspace/configuration, looked up by dotted section. */
  settings?: Record<string, unknown>;
  cwd?: string;
}

export const FULL_CAPABILITIES: ClientCapabilities = {
  workspace: { applyEdit: true, configuration: true, workspaceEdit: { documentChanges: true } },
  textDocument: {
    synchronization: { dynamicRegistration: false },
    completion: {
      completionItem: { snippetSupport: true, deprecatedSupport: true, documentationFormat: ['markdown', 'plaintext'] },
    },
    hover: { contentFormat: ['markdown', 'plaintext'] },
    codeAction: {
      codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'refactor', 'source'] } },
    },
    rename: { prepareSupport: true },
    foldingRange: { lineFoldingOnly: true },
    semanticTokens: {
      requests: { full: true },
      tokenTypes: [],
      tokenModifiers: [],
      formats: ['relative'],
    },
    publishDiagnostics: { versionSupport: true },
  },
};

export class LspClient {
  readonly connection: MessageConnection;
  /** Every publishDiagnostics received, in order, per URI. */
  private readonly published = new Map<string, PublishDiagnosticsParams[]>();
  private waiters: Waiter[] = [];
  private stderrText = '';
  settings: Record<string, unknown>;

  private constructor(readonly process: ChildProcess, options: StartOptions) {
    this.settings = options.settings ?? {};
    this.connection = createMessageConnection(
      new StreamMessageReader(process.stdout!),
      new StreamMessageWriter(process.stdin!),
    );
    process.stderr!.on('data', (chunk: Buffer) => {
      this.stderrText += chunk.toString();
    });
    this.connection.onNotification('textDocument/publishDiagnostics', (params: PublishDiagnosticsParams) => {
      const list = this.published.get(params.uri) ?? [];
      list.push(params);
      this.published.set(params.uri, list);
      this.waiters = this.waiters.filter((w) => {
        if (w.uri === params.uri && list.length > w.after) {
          w.resolve(params);
          return false;
        }
        return true;
      });
    });
    this.connection.onRequest('workspace/configuration', (params: { items: { section?: string }[] }) =>
      params.items.map((item) => this.lookup(item.section)),
    );
    this.connection.onRequest('client/registerCapability', () => null);
    this.connection.onRequest('window/workDoneProgress/create', () => null);
    this.connection.onNotification('window/logMessage', () => undefined);
    this.connection.listen();
  }

  static start(command: string, args: string[], options: StartOptions = {}): LspClient {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], cwd: options.cwd });
    return new LspClient(child, options);
  }

  get stderr(): string {
    return this.stderrText;
  }

  private lookup(section: string | undefined): unknown {
    if (!section) return this.settings;
    let value: unknown = this.settings;
    for (const part of section.split('.')) {
      if (value === null || typeof value !== 'object') return null;
      value = (value as Record<string, unknown>)[part];
    }
    return value ?? null;
  }

  async initialize(
    capabilities: ClientCapabilities = FULL_CAPABILITIES,
    extra: { rootUri?: string | null; initializationOptions?: unknown } = {},
  ): Promise<InitializeResult> {
    const result = await this.connection.sendRequest<InitializeResult>('initialize', {
      processId: process.pid,
      rootUri: extra.rootUri ?? null,
      capabilities,
      initializationOptions: extra.initializationOptions,
    });
    await this.connection.sendNotification('initialized', {});
    return result;
  }

  request<R>(method: string, params: unknown): Promise<R> {
    return this.connection.sendRequest<R>(method, params);
  }

  notify(method: string, params: unknown): Promise<void> {
    return this.connection.sendNotification(method, params);
  }

  /** How many diagnostics notifications the URI has had so far. */
  publishCount(uri: string): number {
    return this.published.get(uri)?.length ?? 0;
  }

  /** Resolves with the first diagnostics for `uri` published after the first `after` ones. */
  nextDiagnostics(uri: string, after = this.publishCount(uri)): Promise<PublishDiagnosticsParams> {
    const list = this.published.get(uri) ?? [];
    if (list.length > after) return Promise.resolve(list[after]);
    return new Promise((resolve) => this.waiters.push({ uri, after, resolve }));
  }

  async open(uri: string, text: string, version = 1, languageId = 'dockerfile'): Promise<Diagnostic[]> {
    const after = this.publishCount(uri);
    await this.notify('textDocument/didOpen', { textDocument: { uri, languageId, version, text } });
    return (await this.nextDiagnostics(uri, after)).diagnostics;
  }

  async change(uri: string, version: number, changes: TextDocumentContentChangeEvent[]): Promise<Diagnostic[]> {
    const after = this.publishCount(uri);
    await this.notify('textDocument/didChange', { textDocument: { uri, version }, contentChanges: changes });
    return (await this.nextDiagnostics(uri, after)).diagnostics;
  }

  /** Shuts the server down politely and waits for the process to exit. */
  async stop(): Promise<number | null> {
    const exited = new Promise<number | null>((resolve) => {
      if (this.process.exitCode !== null) resolve(this.process.exitCode);
      else this.process.once('exit', (code) => resolve(code));
    });
    try {
      await this.request('shutdown', null);
      await this.notify('exit', null);
    } catch {
      this.process.kill('SIGKILL');
    }
    const code = await exited;
    this.connection.dispose();
    return code;
  }
}
