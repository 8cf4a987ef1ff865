// Runs one of the small system tools the archive code needs because Node has no API for it
// (mknod(2) and extended attributes). Arguments are passed as a list, never through a shell.
import { execFile } from 'node:child_process';
import { isErrno } from './scopedPath';

export interface ToolOutput {
  readonly stdout: Buffer;
  readonly stderr: string;
}

export class ToolError extends Error {
  override name = 'ToolError';
}

/**
 * Runs `command args…` and resolves with its output; a missing command or a non-zero exit
 * rejects with a ToolError that names the command and, when missing, how to install it.
 */
export function runTool(command: string, args: readonly string[], installHint: string): Promise<ToolOutput> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      // C locale: getfattr's escaping of file names and the tools' messages stay stable.
      { encoding: 'buffer', maxBuffer: 256 * 1024 * 1024, env: { ...process.env, LC_ALL: 'C' } },
      (err, stdout, stderr) => {
        if (err === null) {
          resolve({ stdout, stderr: stderr.toString('utf8') });
          return;
        }
        if (isErrno(err, 'ENOENT')) {
          reject(new ToolError(`the "${command}" command was not found; install it: ${installHint}`, { cause: err }));
          return;
        }
        const detail = stderr.toString('utf8').trim() || err.message;
        reject(new ToolError(`${command} ${args.join(' ')} failed: ${detail}`, { cause: err }));
      },
    );
  });
}
