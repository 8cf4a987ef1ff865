// Keeps the extension connected to an agent: the bundled one (started here, restarted if it
// dies) or one the user configured (reached at a fixed URL, e.g. through an SSH tunnel, with a
// token file). After a disconnect it retries with backoff, reading the token file again each
// time (a restarted agent has a new token), and re-subscribes to engine events, so the views
// recover by themselves. State changes go to listeners (the status bar). No vscode here.
import type { AgentProcess } from './agentProcess';
import { BridgeClient } from './bridgeClient';

export type AgentSource = { kind: 'bundled'; start: () => Promise<AgentProcess> } | { kind: 'external'; url: string; tokenFile: string };

export type ConnectionState =
  | { status: 'connecting' }
  | { status: 'connected'; client: BridgeClient; url: string }
  | { status: 'disconnected'; error: string; retryInMs: number }
  | { status: 'stopped' };

export interface AgentConnectionOptions {
  log: (line: string) => void;
  /** Delays between attempts, the last one repeating. */
  backoffMs?: number[];
  /** Subscribe to engine events on every connection (notifications reach onNotification listeners). */
  events?: boolean;
}

const DEFAULT_BACKOFF = [250, 500, 1000, 2000, 5000];

export class AgentConnection {
  private state: ConnectionState = { status: 'connecting' };
  private readonly stateListeners = new Set<(state: ConnectionState) => void>();
  private readonly notificationListeners = new Set<(method: string, params: unknown) => void>();
  private agent: AgentProcess | undefined;
  private stopped = false;
  private wakeRetry: (() => void) | undefined;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly source: AgentSource,
    private readonly options: AgentConnectionOptions,
  ) {}

  start(): void {
    this.loop ??= this.run();
  }

  get current(): ConnectionState {
    return this.state;
  }

  /** The client while connected. */
  get client(): BridgeClient | undefined {
    return this.state.status === 'connected' ? this.state.client : undefined;
  }

  onState(listener: (state: ConnectionState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  onNotification(listener: (method: string, params: unknown) => void): () => void {
    this.notificationListeners.add(listener);
    return () => this.notificationListeners.delete(listener);
  }

  /** Resolves once connected (at once if connected now). */
  connected(): Promise<BridgeClient> {
    const client = this.client;
    if (client !== undefined) return Promise.resolve(client);
    return new Promise((resolve) => {
      const stop = this.onState((state) => {
        if (state.status !== 'connected') return;
        stop();
        resolve(state.client);
      });
    });
  }

  /** Disconnects and stops the agent this connection started (a configured agent keeps running). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeRetry?.();
    this.client?.close();
    await this.loop;
    await this.agent?.stop();
    this.setState({ status: 'stopped' });
  }

  private setState(state: ConnectionState): void {
    this.state = state;
    for (const listener of [...this.stateListeners]) listener(state);
  }

  private async run(): Promise<void> {
    let attempt = 0;
    while (!this.stopped) {
      this.setState({ status: 'connecting' });
      let error: string;
      try {
        const { url, tokenFile } = await this.endpoint();
        const client = await BridgeClient.connect(url, tokenFile);
        client.onNotification((method, params) => {
          for (const listener of this.notificationListeners) listener(method, params);
        });
        if (this.options.events === true) await client.request('events.subscribe');
        attempt = 0;
        this.setState({ status: 'connected', client, url });
        const agentExit = this.agent?.exited.then(({ code, signal }) => `the berth agent exited (${signal ?? `code ${code}`})`);
        const reason = await Promise.race([client.closed.then(() => 'the connection to the berth agent closed'), ...(agentExit ? [agentExit] : [])]);
        client.close();
        error = reason;
      } catch (e) {
        error = e instanceof Error ? e.message : String(e);
      }
      if (this.stopped) break;
      const delay = (this.options.backoffMs ?? DEFAULT_BACKOFF)[Math.min(attempt++, (this.options.backoffMs ?? DEFAULT_BACKOFF).length - 1)];
      this.options.log(`berth: ${error}; reconnecting in ${delay} ms`);
      this.setState({ status: 'disconnected', error, retryInMs: delay });
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.wakeRetry = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wakeRetry = undefined;
    }
  }

  /** Where to connect: the configured agent, or the bundled one (started now if it is not running). */
  private async endpoint(): Promise<{ url: string; tokenFile: string }> {
    if (this.source.kind === 'external') return { url: this.source.url, tokenFile: this.source.tokenFile };
    const running = this.agent !== undefined && this.agent.child.exitCode === null && this.agent.child.signalCode === null;
    if (!running) this.agent = await this.source.start();
    return { url: this.agent!.ready.bridge, tokenFile: this.agent!.ready.tokenFile };
  }
}
