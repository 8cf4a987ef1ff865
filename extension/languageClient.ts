// Starts berth's Dockerfile language server (dist/server.js) over node IPC and connects a
// language client to it. Settings under `berth.languageserver` are pulled by the server.
import type { ExtensionContext } from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import type { InitializationOptions } from '../server/protocol';

export function createLanguageClient(context: ExtensionContext): LanguageClient {
  const module = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6010'] } },
  };
  const initializationOptions: InitializationOptions = {
    // The explorer issue connects the agent and answers berth/localImages; until then, none.
    localImages: false,
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'dockerfile' },
      { scheme: 'untitled', language: 'dockerfile' },
    ],
    initializationOptions,
  };
  return new LanguageClient('berth.languageserver', 'Berth Dockerfile Language Server', serverOptions, clientOptions);
}
