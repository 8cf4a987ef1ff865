// Attaching to a container's stdio through conmon's attach socket: at once when it runs, or at its
// next start when it does not (`docker run` and `docker start -a` attach, then start). Whether
// input is taken and whether output is a terminal's come from how the container was created.
import type { AttachSocket } from '../container/attachSocket';
import type { ConmonRuntime } from '../container/conmonRuntime';
import type { EngineEvents } from './events';

export interface ContainerStdioFacts {
  id: string;
  running: boolean;
  /** Created with a terminal (`-t`): output is raw, stdout only. */
  tty: boolean;
  /** Created with stdin open (`-i`). */
  openStdin: boolean;
}

export interface ContainerAttachOptions {
  /** The client sends input (only honoured when the container keeps stdin open). */
  stdin: boolean;
  /** The client went away, or the server is closing. */
  signal: AbortSignal;
}

export interface ContainerStdio {
  tty: boolean;
  /** Input from the client goes to the container. */
  stdin: boolean;
  /**
   * The container's stdio once its process runs; undefined when it will not (removed, failed to
   * start, or the client gave up). Its output ends when the process's does.
   */
  socket: Promise<AttachSocket | undefined>;
}

export function attachContainerStdio(facts: ContainerStdioFacts, runtime: ConmonRuntime, events: EngineEvents, options: ContainerAttachOptions): ContainerStdio {
  return { tty: facts.tty, stdin: options.stdin && facts.openStdin, socket: connect(facts, runtime, events, options.signal) };
}

async function connect(facts: ContainerStdioFacts, runtime: ConmonRuntime, events: EngineEvents, signal: AbortSignal): Promise<AttachSocket | undefined> {
  if (facts.running) {
    // It may have ended in between: then there is nothing to attach to, which is an empty stream.
    return runtime.attach(facts.id).catch(() => undefined);
  }
  const giveUp = new AbortController();
  const onAbort = (): void => giveUp.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  const stop = events.subscribe((event) => {
    if (event.type === 'container' && event.id === facts.id && event.action === 'destroy') giveUp.abort();
  });
  try {
    return await runtime.attachNextRun(facts.id, giveUp.signal);
  } catch {
    return undefined;
  } finally {
    stop();
    signal.removeEventListener('abort', onAbort);
  }
}
