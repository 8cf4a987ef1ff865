// What a handler gets: the request, the response, the route's parameters, the checked query and
// the engine. Handlers talk to the engine only, and throw on failure (dockerApiServer.ts maps
// the error to a status).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Engine } from '../engine/engine';
import type { QueryParams } from './queryParams';
import type { ServerIdentity } from './responses';

export interface HandlerContext {
  req: IncomingMessage;
  res: ServerResponse;
  params: Record<string, string>;
  query: QueryParams;
  engine: Engine;
  identity: ServerIdentity & { version: string };
  /** Aborted when the server shuts down: long-lived streams end on it. */
  closing: AbortSignal;
}

export type Handler = (ctx: HandlerContext) => Promise<void>;
