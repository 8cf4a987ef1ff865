// `berth import FILE NAME`: sends a rootfs tar to a running agent as `docker import` does
// (`POST /images/create?fromSrc=-&repo=NAME`) and returns the new image ID from the reply.
import { createReadStream } from 'node:fs';
import { request } from 'node:http';
import type { Readable } from 'node:stream';
import { API_VERSION } from './apiVersion';

export interface ImportRequest {
  /** Path of the agent's socket. */
  socketPath: string;
  /** A file path, or `-` for standard input. */
  file: string;
  /** `name[:tag]`; undefined imports untagged. */
  ref?: string;
  message?: string;
}

/** `DOCKER_HOST=unix:///path` → `/path`; other transports are not supported by this client. */
export function socketFromDockerHost(host: string): string {
  if (!host.startsWith('unix://')) throw new Error(`berth import talks to the agent over a UNIX socket; DOCKER_HOST=${host} is not one (use unix:///path/to/docker.sock or --docker-socket)`);
  return host.slice('unix://'.length);
}

export async function importThroughAgent(options: ImportRequest): Promise<string> {
  const body: Readable = options.file === '-' ? process.stdin : createReadStream(options.file);
  const query = new URLSearchParams({ fromSrc: '-' });
  if (options.ref !== undefined) query.set('repo', options.ref);
  if (options.message !== undefined) query.set('message', options.message);
  const opened = new Promise<void>((resolve, reject) => {
    body.once('error', reject);
    body.once('readable', resolve);
    body.once('end', resolve);
  });
  await opened; // a missing file fails here, with its own message, before anything is sent
  return new Promise((resolve, reject) => {
    const req = request(
      { socketPath: options.socketPath, method: 'POST', path: `/v${API_VERSION}/images/create?${query}`, headers: { 'Content-Type': 'application/x-tar' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode !== 200) {
            reject(new Error(messageOf(text) ?? `the agent answered ${res.statusCode}`));
            return;
          }
          let id: string | undefined;
          for (const line of text.split(/\r?\n/).filter((l) => l !== '')) {
            const parsed = JSON.parse(line) as { status?: string; error?: string };
            if (parsed.error !== undefined) return reject(new Error(parsed.error));
            if (parsed.status !== undefined) id = parsed.status;
          }
          if (id === undefined) reject(new Error('the agent did not say which image it made'));
          else resolve(id);
        });
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'ENOENT' || error.code === 'ECONNREFUSED' ? new Error(`no berth agent answers on ${options.socketPath}; start one with \`berth serve\``) : error),
    );
    body.on('error', (error) => req.destroy(error));
    body.pipe(req);
  });
}

function messageOf(text: string): string | undefined {
  try {
    const parsed = JSON.parse(text) as { message?: unknown };
    return typeof parsed.message === 'string' ? parsed.message : undefined;
  } catch {
    return undefined;
  }
}
