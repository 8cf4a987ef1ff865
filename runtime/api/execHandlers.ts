// The exec routes that are plain requests: create, inspect, resize, and start when detached
// (`docker exec -d` posts `{"Detach":true}` without upgrading; the attached start is an upgrade,
// execStream.ts). Container resize lives here too: both are the terminal's business.
import type { IncomingMessage } from 'node:http';
import { TerminalSizeError } from '../container/conmonControl';
import { ApiError } from './apiError';
import { parseExecCreateBody, parseExecStartBody } from './execBodies';
import type { HandlerContext } from './handler';
import { sendEmpty, sendJson } from './responses';
import type { QueryParams } from './queryParams';

const MAX_BODY = 1024 * 1024;

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new ApiError(400, `the request body is over ${MAX_BODY} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** `POST /containers/{name}/exec` → 201 `{"Id"}` */
export async function createExec({ req, res, params, engine }: HandlerContext): Promise<void> {
  const config = parseExecCreateBody((await readBody(req)).toString('utf8'));
  const id = engine.execs.create(params.name, config);
  sendJson(res, 201, { Id: id });
}

/** `GET /exec/{name}/json` */
export async function inspectExec({ res, params, engine }: HandlerContext): Promise<void> {
  const info = engine.execs.inspect(params.name);
  const [entrypoint, ...args] = info.config.cmd;
  sendJson(res, 200, {
    ID: info.id,
    Running: info.running,
    ExitCode: info.exitCode,
    ProcessConfig: { tty: info.config.tty, entrypoint, arguments: args, privileged: false, user: info.config.user ?? '' },
    OpenStdin: info.config.attachStdin,
    OpenStderr: info.config.attachStderr,
    OpenStdout: info.config.attachStdout,
    CanRemove: false,
    ContainerID: info.containerId,
    DetachKeys: '',
    Pid: info.pid,
  });
}

/** `POST /exec/{name}/start` without an upgrade: only a detached start makes sense there. */
export async function startExecDetached({ req, res, params, engine }: HandlerContext): Promise<void> {
  const body = parseExecStartBody(await readBody(req));
  if (!body.detach) throw new ApiError(400, 'an attached exec start must upgrade the connection (Connection: Upgrade, Upgrade: tcp)');
  await engine.execs.start(params.name, { detach: true, consoleSize: body.consoleSize });
  sendEmpty(res, 200);
}

function size(query: QueryParams): [number, number] {
  const parse = (name: 'h' | 'w'): number => {
    const text = query.string(name);
    if (text === undefined || !/^[0-9]+$/.test(text)) throw new ApiError(400, `the query parameter "${name}" must be a whole number, got ${JSON.stringify(text ?? '')}`);
    return Number(text);
  };
  return [parse('h'), parse('w')];
}

/** A size the terminal cannot take is the client's mistake, not the server's. */
async function resizing(work: Promise<void>): Promise<void> {
  try {
    await work;
  } catch (error) {
    if (error instanceof TerminalSizeError) throw new ApiError(400, error.message);
    throw error;
  }
}

/** `POST /exec/{name}/resize?h&w` → 200 */
export async function resizeExec({ res, params, query, engine }: HandlerContext): Promise<void> {
  const [height, width] = size(query);
  await resizing(engine.execs.resize(params.name, height, width));
  sendEmpty(res, 200);
}

/** `POST /containers/{name}/resize?h&w` → 200 */
export async function resizeContainer({ res, params, query, engine }: HandlerContext): Promise<void> {
  const [height, width] = size(query);
  await resizing(engine.containers.resize(params.name, height, width));
  sendEmpty(res, 200);
}
