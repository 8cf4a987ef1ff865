// The bridge's methods: what a client (the extension) may ask of the engine. Results are in the
// Docker Engine API's JSON shapes, so a client reads the same objects whichever engine is behind
// the agent (the embedded one, or an existing Docker Engine through the driver). Streams come
// back as channels (see protocol.ts).
import type { Engine } from '../engine/engine';
import { containerInspect, containerListItem } from '../api/dockerContainerJson';
import { deleteItem, historyItem, imageInspect, imageListItem } from '../api/dockerImageJson';
import { dockerEventJson } from '../api/eventHandlers';
import { API_VERSION } from '../api/apiVersion';
import { ChannelClosedError, type OutgoingChannel } from './outgoingChannel';
import { EVENT_NOTIFICATION, FrameKind, type ChannelClosedParams, type ChannelOpened } from './protocol';
import { optionalBoolean, optionalInteger, optionalString, requiredString, type Params } from './rpcParams';

export interface MethodContext {
  engine: Engine;
  version: string;
  /** A new channel to this client. */
  openChannel(): OutgoingChannel;
  /** Ends a channel: the client gets `channel.closed` with these params. */
  closeChannel(channel: OutgoingChannel, outcome: Omit<ChannelClosedParams, 'channel'>): void;
  notify(method: string, params: unknown): void;
  /** Runs after the response has been sent, so a channel's data never precedes its id. */
  afterReply(work: () => void): void;
  /** Aborted when the connection closes. */
  signal: AbortSignal;
  /** Called once per connection for `events.subscribe`. */
  subscribeEvents(): boolean;
}

export type Method = (params: Params, context: MethodContext) => Promise<unknown>;

/** Pumps an async source into a channel; ends it with an outcome, quietly if the client went away. */
function pump(context: MethodContext, channel: OutgoingChannel, work: () => Promise<Omit<ChannelClosedParams, 'channel'>>): void {
  context.afterReply(() => {
    void work().then(
      async (outcome) => {
        await channel.end();
        context.closeChannel(channel, outcome);
      },
      (error: unknown) => {
        if (error instanceof ChannelClosedError || context.signal.aborted) return;
        context.closeChannel(channel, { error: error instanceof Error ? error.message : String(error) });
      },
    );
  });
}

export const BRIDGE_METHODS: Record<string, Method> = {
  'system.version': async (_params, { engine, version }) => ({
    Version: version,
    ApiVersion: API_VERSION,
    Os: process.platform,
    Arch: process.arch === 'x64' ? 'amd64' : process.arch,
    Engine: 'embedded',
    Root: engine.facts().rootDir,
  }),

  'images.list': async (_params, { engine }) => (await engine.images.list()).images.map(imageListItem),
  'images.inspect': async (params, { engine }) => {
    const ref = requiredString(params, 'ref');
    const image = await engine.images.inspect(ref);
    return imageInspect(image, (await engine.images.history(ref))[0]?.comment ?? '');
  },
  'images.history': async (params, { engine }) => (await engine.images.history(requiredString(params, 'ref'))).map(historyItem),
  'images.tag': async (params, { engine }) => {
    await engine.images.tag(requiredString(params, 'source'), requiredString(params, 'target'));
    return null;
  },
  'images.remove': async (params, { engine }) => (await engine.images.remove(requiredString(params, 'ref'), { force: optionalBoolean(params, 'force') })).map(deleteItem),
  'images.prune': async (params, { engine }) => {
    const result = await engine.images.prune({ all: optionalBoolean(params, 'all') });
    return { ImagesDeleted: result.items.map(deleteItem), SpaceReclaimed: result.bytesFreed };
  },

  'containers.list': async (params, { engine }) => {
    const all = optionalBoolean(params, 'all');
    return engine.containers
      .list()
      .filter((record) => all || record.state.status === 'running')
      .sort((a, b) => b.created.localeCompare(a.created))
      .map((record) => containerListItem(record));
  },
  'containers.inspect': async (params, { engine }) => containerInspect(engine.containers.inspect(requiredString(params, 'ref'))),
  'containers.start': async (params, { engine }) => ({ started: await engine.containers.start(requiredString(params, 'ref')) }),
  'containers.stop': async (params, { engine }) => ({ stopped: await engine.containers.stop(requiredString(params, 'ref'), optionalInteger(params, 'timeout')) }),
  'containers.restart': async (params, { engine }) => {
    await engine.containers.restart(requiredString(params, 'ref'), optionalInteger(params, 'timeout'));
    return null;
  },
  'containers.kill': async (params, { engine }) => {
    await engine.containers.kill(requiredString(params, 'ref'), optionalString(params, 'signal'));
    return null;
  },
  'containers.remove': async (params, { engine }) => {
    await engine.containers.remove(requiredString(params, 'ref'), { force: optionalBoolean(params, 'force'), volumes: optionalBoolean(params, 'volumes') });
    return null;
  },
  /** The log as a channel: stdout and stderr frames, `follow` until the container exits. */
  'containers.logs': async (params, context): Promise<ChannelOpened> => {
    const ref = requiredString(params, 'ref');
    const follow = optionalBoolean(params, 'follow');
    const timestamps = optionalBoolean(params, 'timestamps');
    const tail = optionalInteger(params, 'tail');
    context.engine.containers.inspect(ref); // a missing container fails the request, not the channel
    const channel = context.openChannel();
    pump(context, channel, async () => {
      for await (const record of context.engine.containers.logs(ref, { follow, tail, signal: context.signal })) {
        const data = timestamps ? Buffer.concat([Buffer.from(`${record.time} `), record.data]) : record.data;
        await channel.write(record.stream === 'stdout' ? FrameKind.Stdout : FrameKind.Stderr, data);
      }
      return {};
    });
    return { channel: channel.id };
  },

  /** From now on, every engine event arrives as an `engine.event` notification (Docker's /events JSON). */
  'events.subscribe': async (_params, context) => {
    if (!context.subscribeEvents()) return { subscribed: true };
    const stop = context.engine.events.subscribe((event) => context.notify(EVENT_NOTIFICATION, JSON.parse(dockerEventJson(event))));
    context.signal.addEventListener('abort', stop, { once: true });
    return { subscribed: true };
  },
};
