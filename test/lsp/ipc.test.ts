// The extension runs the server over node IPC (TransportKind.ipc): the same server, forked
// with an IPC channel, must speak LSP there too.
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { test } from 'node:test';
import { createMessageConnection, IPCMessageReader, IPCMessageWriter } from 'vscode-jsonrpc/node';
import type { InitializeResult, PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { SERVER } from './harness';

test('over node IPC: initialize, didOpen → diagnostics, shutdown', async () => {
  const child = fork(SERVER, ['--node-ipc'], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  const connection = createMessageConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
  const diagnostics = new Promise<PublishDiagnosticsParams>((resolve) =>
    connection.onNotification('textDocument/publishDiagnostics', resolve),
  );
  connection.listen();
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  try {
    const result = await connection.sendRequest<InitializeResult>('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
    assert.equal(result.serverInfo?.name, 'berth-dockerfile');
    await connection.sendNotification('initialized', {});
    await connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri: 'file:///nonexistent/ipc/Dockerfile', languageId: 'dockerfile', version: 1, text: 'FROM ubuntu:latest\n' },
    });
    const published = await diagnostics;
    assert.deepEqual(published.diagnostics.map((d) => d.code), ['BH002']);
    await connection.sendRequest('shutdown');
    await connection.sendNotification('exit');
    assert.equal(await exited, 0);
  } finally {
    connection.dispose();
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});
