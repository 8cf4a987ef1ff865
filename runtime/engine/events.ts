// The engine's event stream (`docker events`): a small typed emitter plus a bounded buffer of
// recent events, so a subscriber can ask for what happened since a moment in the past. Events
// are plain data; the API layer turns them into Docker's JSON.

export type EngineEventType = 'image' | 'container' | 'volume';
export type ImageAction = 'tag' | 'untag' | 'delete' | 'load' | 'import';
export type ContainerAction = 'create' | 'start' | 'die' | 'destroy' | 'kill' | 'stop' | 'attach' | 'restart';
export type VolumeAction = 'create' | 'mount' | 'destroy';

export interface EngineEvent {
  type: EngineEventType;
  action: ImageAction | ContainerAction | VolumeAction;
  /** The object's ID: for images, the image ID (`sha256:…`); for containers, the 64-hex ID; for volumes, the name. */
  id: string;
  /** Extra facts, e.g. `{name: "busybox:latest"}`. */
  attributes: Record<string, string>;
  /** Nanoseconds since the epoch. */
  timeNano: bigint;
}

export type EventListener = (event: EngineEvent) => void;

const DEFAULT_HISTORY = 1024;

export class EngineEvents {
  private readonly listeners = new Set<EventListener>();
  private readonly recent: EngineEvent[] = [];

  constructor(
    private readonly historySize = DEFAULT_HISTORY,
    private readonly nowNano: () => bigint = () => BigInt(Date.now()) * 1_000_000n,
  ) {}

  emit(event: Omit<EngineEvent, 'timeNano'>): EngineEvent {
    const full: EngineEvent = { ...event, timeNano: this.nowNano() };
    this.recent.push(full);
    if (this.recent.length > this.historySize) this.recent.shift();
    for (const listener of [...this.listeners]) listener(full);
    return full;
  }

  /** Calls `listener` for every later event; returns the function that stops it. */
  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Buffered events at or after `sinceNano` (only the last `historySize` are kept). */
  since(sinceNano: bigint): EngineEvent[] {
    return this.recent.filter((event) => event.timeNano >= sinceNano);
  }
}
