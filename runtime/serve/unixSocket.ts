// Listening on a UNIX socket path safely: a socket file left by a crashed agent is removed only
// after checking that nothing answers on it; a live agent there is an error, not a takeover.
// The socket is created with mode 0660 (owner and group: whoever may use the agent).
import { connect } from 'node:net';
import { lstat, unlink } from 'node:fs/promises';
import type { Server } from 'node:http';

export class SocketInUseError extends Error {
  constructor(readonly path: string) {
    super(`another agent is already serving on ${path} (it accepted a connection); stop it first, or pass a different --docker-socket`);
    this.name = 'SocketInUseError';
  }
}

export const SOCKET_MODE = 0o660;

/** Whether something accepts connections on the socket at `path`. */
export function socketAnswers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Removes a stale socket file at `path`; throws if a live server or a non-socket file is there. */
export async function clearStaleSocket(path: string): Promise<void> {
  let found;
  try {
    found = await lstat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if (!found.isSocket()) throw new Error(`${path} exists and is not a socket; berth will not replace it. Remove it or pass a different --docker-socket`);
  if (await socketAnswers(path)) throw new SocketInUseError(path);
  await unlink(path);
}

export async function listenOnSocket(server: Server, path: string): Promise<void> {
  await clearStaleSocket(path);
  // The umask decides the mode the socket is created with, so there is no moment in which it
  // is more open than 0660.
  const previous = process.umask(0o777 & ~SOCKET_MODE);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } finally {
    process.umask(previous);
  }
}
