// `berth serve`: opens the engine on a root directory and serves the Docker Engine API on a UNIX
// socket and the editor bridge on a loopback WebSocket. Prints one JSON line when ready
// (`{"docker":"unix:///…/docker.sock","root":"…","bridge":"ws://127.0.0.1:PORT","tokenFile":"…"}`), so
// whoever started it waits on that line, not on a timer. SIGTERM/SIGINT: stop accepting, let
// requests in flight finish (up to the shutdown timeout), remove the socket, exit 0.
import { mkdir, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { createDockerApiServer } from '../api/dockerApiServer';
import { EmbeddedEngine } from '../engine/embeddedEngine';
import { createBridgeToken } from '../bridge/bridgeToken';
import { startBridge, type BridgeServer } from '../bridge/bridgeServer';
import { checkHost } from '../host/hostCheck';
import { lockRoot } from './rootLock';
import { clearStaleSocket, listenOnSocket } from './unixSocket';

export interface ServeOptions {
  root: string;
  dockerSocket: string;
  shutdownTimeoutMs: number;
  /** 0: an ephemeral port (the ready line names it). */
  bridgePort: number;
}

export const SERVE_USAGE = `Usage: berth serve [--root DIR] [--docker-socket PATH] [--shutdown-timeout SECONDS] [--bridge-port PORT]

  --root DIR               where images are kept (default: ~/.local/share/berth)
  --docker-socket PATH     the Docker API socket (default: DIR/docker.sock)
  --shutdown-timeout S     on SIGTERM, how long requests in flight may finish (default: 10)
  --bridge-port PORT       the editor bridge's port on 127.0.0.1 (default: any free port), fixed
                           for clients that reach the agent through a tunnel
`;

export class UsageError extends Error {}

export function parseServeArgs(argv: string[]): ServeOptions {
  let root: string | undefined;
  let dockerSocket: string | undefined;
  let shutdownTimeoutMs = 10_000;
  let bridgePort = 0;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new UsageError(`${flag} needs a value`);
      return v;
    };
    if (flag === '--root') root = value();
    else if (flag === '--docker-socket') dockerSocket = value();
    else if (flag === '--shutdown-timeout') {
      const v = value();
      if (!/^[0-9]+(\.[0-9]+)?$/.test(v)) throw new UsageError(`--shutdown-timeout must be a number of seconds, got ${JSON.stringify(v)}`);
      shutdownTimeoutMs = Math.round(Number(v) * 1000);
    } else if (flag === '--bridge-port') {
      const v = value();
      if (!/^[0-9]+$/.test(v) || Number(v) > 65535) throw new UsageError(`--bridge-port must be a port number (0-65535), got ${JSON.stringify(v)}`);
      bridgePort = Number(v);
    } else throw new UsageError(`unknown option ${JSON.stringify(arg)} for serve`);
  }
  const rootDir = resolve(root ?? join(homedir(), '.local', 'share', 'berth'));
  return { root: rootDir, dockerSocket: resolve(dockerSocket ?? join(rootDir, 'docker.sock')), shutdownTimeoutMs, bridgePort };
}

/** Resolves with the exit code once the agent has stopped. */
export async function serve(options: ServeOptions, version: string): Promise<number> {
  await mkdir(options.root, { recursive: true, mode: 0o700 });
  // Checked before anything changes on disk, so a second agent fails without side effects.
  await clearStaleSocket(options.dockerSocket);
  const lock = await lockRoot(options.root);
  let api: ReturnType<typeof createDockerApiServer> | undefined;
  let bridge: BridgeServer;
  let engine: EmbeddedEngine;
  const tokenFile = join(options.root, 'bridge.token');
  // Images work without a container runtime; say at once what containers would need.
  const host = await checkHost();
  if (!host.ok) for (const problem of host.problems) process.stderr.write(`berth serve: containers cannot run: ${problem}\n`);
  try {
    engine = await EmbeddedEngine.open(options.root, host);
    api = createDockerApiServer(engine, version);
    await listenOnSocket(api.server, options.dockerSocket);
    // A fresh token per start: a client that kept an old one must read the file again.
    const token = await createBridgeToken(tokenFile);
    bridge = await startBridge(engine, token, version, options.bridgePort, (line) => process.stderr.write(`berth serve: ${line}\n`));
  } catch (error) {
    await api?.close(0).catch(() => undefined);
    await lock.release();
    throw error;
  }
  // Handlers first: whoever reads the ready line may signal at once.
  const stopRequested = new Promise<NodeJS.Signals>((resolveSignal) => {
    process.once('SIGTERM', () => resolveSignal('SIGTERM'));
    process.once('SIGINT', () => resolveSignal('SIGINT'));
  });
  process.stdout.write(JSON.stringify({ docker: `unix://${options.dockerSocket}`, root: options.root, bridge: bridge.url, tokenFile }) + '\n');
  const signal = await stopRequested;
  process.stderr.write(`berth serve: ${signal}, shutting down\n`);
  await bridge.close();
  await api.close(options.shutdownTimeoutMs);
  engine.close();
  await rm(tokenFile, { force: true });
  await rm(options.dockerSocket, { force: true });
  await lock.release();
  return 0;
}
