// The container routes: create, list, inspect, start, wait, logs, stop, restart, kill and remove.
// Attach is an HTTP upgrade and lives in attachStream.ts; prune is containerPruneHandler.ts.
import type { IncomingMessage } from 'node:http';
import type { WaitCondition } from '../engine/engine';
import { ApiError, toApiError } from './apiError';
import { parseCreateBody } from './containerCreateBody';
import { containerInspect, containerListItem } from './dockerContainerJson';
import type { HandlerContext } from './handler';
import { parseTimestamp } from './eventHandlers';
import { sendEmpty, sendJson } from './responses';
import { streamFrame } from '../container/containerLog';
import { volumePathFor } from './volumeHandlers';

const MAX_CREATE_BODY = 1024 * 1024;

async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_CREATE_BODY) throw new ApiError(400, `the request body is over ${MAX_CREATE_BODY} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(400, 'the request body is not valid JSON');
  }
}

/** `POST /containers/create?name=N` → 201 `{"Id","Warnings"}` */
export async function createContainer({ req, res, query, engine }: HandlerContext): Promise<void> {
  const name = query.string('name') || undefined;
  const request = parseCreateBody(await readJsonBody(req), name);
  try {
    const { id, warnings } = await engine.containers.create(request);
    sendJson(res, 201, { Id: id, Warnings: warnings });
  } catch (error) {
    // A 404 worded as Docker's `No such image: busybox:latest` (the CLI then offers to pull).
    throw toApiError(error, request.image);
  }
}

/** `GET /containers/json?all&limit&filters` */
export async function listContainers({ res, query, engine }: HandlerContext): Promise<void> {
  const all = query.bool('all');
  query.bool('size');
  const limitText = query.string('limit');
  const limit = limitText === undefined || limitText === '' ? -1 : Number(limitText);
  if (!Number.isInteger(limit)) throw new ApiError(400, `the query parameter "limit" must be a whole number, got ${JSON.stringify(limitText)}`);
  const filters = query.filters(['status', 'name', 'id', 'label', 'exited', 'ancestor']);
  const exitedFilter = filters.get('exited');
  const statuses = filters.get('status') ?? [];
  let records = engine.containers.list();
  records = records.filter((record) => {
    if (!all && statuses.length === 0 && record.state.status !== 'running') return false;
    if (statuses.length > 0 && !statuses.includes(record.state.status)) return false;
    if (exitedFilter !== undefined && !(record.state.status === 'exited' && exitedFilter.includes(String(record.state.exitCode)))) return false;
    const names = filters.get('name');
    if (names !== undefined && !names.some((n) => record.name.includes(n.replace(/^\//, '')))) return false;
    const ids = filters.get('id');
    if (ids !== undefined && !ids.some((i) => record.id.startsWith(i))) return false;
    const ancestors = filters.get('ancestor');
    if (ancestors !== undefined && !ancestors.some((a) => a === record.image || a === record.imageId || record.imageId.startsWith(`sha256:${a}`))) return false;
    const labels = filters.get('label') ?? [];
    return labels.every((label) => {
      const eq = label.indexOf('=');
      return eq < 0 ? label in record.config.labels : record.config.labels[label.slice(0, eq)] === label.slice(eq + 1);
    });
  });
  records.sort((a, b) => b.created.localeCompare(a.created));
  if (limit > 0) records = records.slice(0, limit);
  const volumePath = volumePathFor(engine);
  sendJson(res, 200, records.map((r) => containerListItem(r, undefined, volumePath)));
}

/** `GET /containers/{name}/json` */
export async function inspectContainer({ res, params, engine }: HandlerContext): Promise<void> {
  sendJson(res, 200, containerInspect(engine.containers.inspect(params.name), volumePathFor(engine)));
}

/** `POST /containers/{name}/start` → 204, or 304 when already running */
export async function startContainer({ res, params, engine }: HandlerContext): Promise<void> {
  sendEmpty(res, (await engine.containers.start(params.name)) ? 204 : 304);
}

/** `POST /containers/{name}/wait?condition` → 200 at once, the body when the condition holds */
export async function waitContainer({ res, params, query, engine }: HandlerContext): Promise<void> {
  const condition = (query.string('condition') || 'not-running') as WaitCondition;
  if (!['not-running', 'next-exit', 'removed'].includes(condition)) throw new ApiError(400, `invalid condition ${JSON.stringify(condition)}: use not-running, next-exit or removed`);
  const waiting = engine.containers.wait(params.name, condition);
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.flushHeaders();
  const { exitCode } = await waiting;
  if (!res.writableEnded && !res.destroyed) res.end(JSON.stringify({ StatusCode: exitCode, Error: null }) + '\n');
}

/** `GET /containers/{name}/logs?stdout&stderr&follow&tail&timestamps&since&until` → multiplexed frames */
export async function containerLogs({ res, params, query, engine }: HandlerContext): Promise<void> {
  const stdout = query.bool('stdout');
  const stderr = query.bool('stderr');
  if (!stdout && !stderr) throw new ApiError(400, 'you must choose at least one stream: stdout=1 and/or stderr=1');
  const follow = query.bool('follow');
  const timestamps = query.bool('timestamps');
  const tailText = query.string('tail') ?? 'all';
  let tail: number | undefined;
  if (tailText !== 'all' && tailText !== '') {
    if (!/^[0-9]+$/.test(tailText)) throw new ApiError(400, `the query parameter "tail" must be "all" or a number of lines, got ${JSON.stringify(tailText)}`);
    tail = Number(tailText);
  }
  const since = parseTimestamp('since', query.string('since') === '0' ? undefined : query.string('since'));
  const until = parseTimestamp('until', query.string('until') === '0' ? undefined : query.string('until'));
  // A terminal's output is one raw stream, as the CLI expects for a container with Tty.
  const tty = engine.containers.inspect(params.name).config.stdio?.tty === true;
  const abort = new AbortController();
  res.on('close', () => abort.abort());
  res.writeHead(200, { 'Content-Type': 'application/vnd.docker.raw-stream' });
  res.flushHeaders();
  for await (const record of engine.containers.logs(params.name, { follow, tail, since, until, signal: abort.signal })) {
    if (record.stream === 'stdout' ? !stdout : !stderr) continue;
    const data = timestamps ? Buffer.concat([Buffer.from(`${record.time} `), record.data]) : record.data;
    if (res.destroyed) break;
    res.write(tty ? data : streamFrame(record.stream, data));
  }
  if (!res.writableEnded) res.end();
}

function timeoutParam(query: HandlerContext['query']): number | undefined {
  const text = query.string('t') ?? query.string('timeout');
  if (text === undefined || text === '') return undefined;
  if (!/^-?[0-9]+$/.test(text)) throw new ApiError(400, `the query parameter "t" must be a whole number of seconds, got ${JSON.stringify(text)}`);
  return Number(text);
}

/** `POST /containers/{name}/stop?t` → 204, or 304 when not running */
export async function stopContainer({ res, params, query, engine }: HandlerContext): Promise<void> {
  sendEmpty(res, (await engine.containers.stop(params.name, timeoutParam(query))) ? 204 : 304);
}

/** `POST /containers/{name}/restart?t` → 204 */
export async function restartContainer({ res, params, query, engine }: HandlerContext): Promise<void> {
  await engine.containers.restart(params.name, timeoutParam(query));
  sendEmpty(res, 204);
}

/** `POST /containers/{name}/kill?signal` → 204 */
export async function killContainer({ res, params, query, engine }: HandlerContext): Promise<void> {
  const signal = normalizeSignal(query.string('signal') || 'SIGKILL');
  await engine.containers.kill(params.name, signal);
  sendEmpty(res, 204);
}

/** `KILL`, `SIGKILL`, `9` → what crun takes. */
export function normalizeSignal(input: string): string {
  if (/^[0-9]+$/.test(input)) return input;
  const upper = input.toUpperCase();
  if (!/^(SIG)?[A-Z0-9+-]+$/.test(upper)) throw new ApiError(400, `invalid signal: ${input}`);
  return upper.startsWith('SIG') ? upper : `SIG${upper}`;
}

/** `DELETE /containers/{name}?force&v` → 204 */
export async function removeContainer({ res, params, query, engine }: HandlerContext): Promise<void> {
  const force = query.bool('force');
  const volumes = query.bool('v');
  if (query.bool('link')) throw new ApiError(400, 'berth has no container links to remove');
  await engine.containers.remove(params.name, { force, volumes });
  sendEmpty(res, 204);
}
