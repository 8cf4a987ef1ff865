// Starts the built language server (dist/server.js) over stdio for protocol tests.
import { join } from 'node:path';
import type { ClientCapabilities } from 'vscode-languageserver-protocol';
import { FULL_CAPABILITIES, LspClient } from '../support/lspClient';

export const SERVER = join(__dirname, '..', '..', 'dist', 'server.js');

export async function startServer(
  options: { settings?: Record<string, unknown>; capabilities?: ClientCapabilities; initializationOptions?: unknown } = {},
): Promise<LspClient> {
  const client = LspClient.start(process.execPath, [SERVER, '--stdio'], { settings: options.settings });
  await client.initialize(options.capabilities ?? FULL_CAPABILITIES, { initializationOptions: options.initializationOptions });
  return client;
}

/** Runs `body` with a fresh server and always stops it. */
export async function withServer(
  options: Parameters<typeof startServer>[0],
  body: (client: LspClient) => Promise<void>,
): Promise<void> {
  const client = await startServer(options);
  try {
    await body(client);
  } finally {
    await client.stop();
  }
}
