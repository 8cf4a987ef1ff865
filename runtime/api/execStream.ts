// `POST /exec/{id}/start` as the CLI sends it for an attached exec: an HTTP upgrade whose JSON
// body (`{"Detach":false,"Tty":true}`) shares the connection with the client's input. The process
// is started before the 101, so a session that cannot start (container stopped, already run)
// gets a proper status; a command the runtime cannot run is reported in the stream, as dockerd
// does, and its exit code (126/127) is what `docker exec` then reads from the session. The
// stream ends once the output has drained and the exit code is recorded.
import { ExecStartError } from '../container/conmonExec';
import { streamFrame } from '../container/containerLog';
import { ApiError } from './apiError';
import type { UpgradeContext } from './attachStream';
import { parseExecStartBody } from './execBodies';
import { ignoreInput, pumpInput, pumpOutput, rawResponse, readUpgradeBody, upgradeResponse } from './hijack';

const MAX_START_BODY = 64 * 1024;

export async function startExecStream(context: UpgradeContext, id: string, upgraded: { done: boolean }): Promise<void> {
  const { engine, identity, req, socket, head, signal } = context;
  const body = parseExecStartBody(await readUpgradeBody(req, socket, head, MAX_START_BODY));
  const info = engine.execs.inspect(id);
  if (body.detach) {
    await engine.execs.start(id, { detach: true, consoleSize: body.consoleSize });
    rawResponse(socket, 200, identity);
    return;
  }
  let started;
  try {
    started = await engine.execs.start(id, { detach: false, consoleSize: body.consoleSize });
  } catch (error) {
    if (!(error instanceof ExecStartError)) throw error;
    upgradeResponse(socket, identity);
    upgraded.done = true;
    const text = Buffer.from(`OCI runtime exec failed: ${error.message}\r\n`);
    socket.end(info.config.tty ? text : streamFrame('stdout', text));
    return;
  }
  upgradeResponse(socket, identity);
  upgraded.done = true;
  const stdio = started.socket;
  if (stdio === undefined) throw new ApiError(500, `exec ${id} started without its stdio`);
  stdio.on('error', () => undefined);
  if (info.config.attachStdin) pumpInput(socket, stdio, !started.tty);
  else ignoreInput(socket);
  // The client went away: its process goes on (as in Docker); only the copy stops.
  const stopCopying = (): void => {
    stdio.destroy();
  };
  signal.addEventListener('abort', stopCopying, { once: true });
  try {
    await pumpOutput(stdio, socket, { tty: started.tty, stdout: info.config.attachStdout, stderr: info.config.attachStderr });
    await started.exited;
  } finally {
    signal.removeEventListener('abort', stopCopying);
    socket.unpipe(stdio);
    stdio.destroy();
  }
  socket.end();
}
