// Starting the bundled agent (`dist/berth.js serve`) and knowing when it is ready: the agent
// prints one JSON line on stdout when it serves (its ready line); everything else it says goes
// to stderr, which we pass to a log. No vscode here, so tests drive it with plain Node.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** The agent's ready line (runtime/serve/serveCommand.ts). */
export interface ReadyLine {
  docker: string;
  root: string;
  bridge: string;
  tokenFile: string;
}

export interface AgentProcessOptions {
  /** The Node.js binary (the extension host's own: process.execPath). */
  node: string;
  /** dist/berth.js */
  script: string;
  root: string;
  dockerSocket: string;
  /** Each stderr line of the agent. */
  log: (line: string) => void;
}

export interface AgentProcess {
  ready: ReadyLine;
  child: ChildProcess;
  /** Resolves when the agent exits, with how. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then SIGKILL if it has not stopped after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export class AgentStartError extends Error {
  override name = 'AgentStartError';
}

export function startAgentProcess(options: AgentProcessOptions): Promise<AgentProcess> {
  const child = spawn(options.node, [options.script, 'serve', '--root', options.root, '--docker-socket', options.dockerSocket], {
    stdio: ['ignore', 'pipe', 'pipe'],
    // The agent must not inherit the extension host's debug or IPC settings.
    env: { ...process.env, NODE_OPTIONS: '', ELECTRON_RUN_AS_NODE: '1' },
  });
  const stderrTail: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => {
    stderrTail.push(line);
    if (stderrTail.length > 20) stderrTail.shift();
    options.log(line);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const stop = async (graceMs = 15_000): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    child.once('error', (error) => reject(new AgentStartError(`could not start the berth agent with ${options.node}: ${error.message}`)));
    void exited.then(({ code, signal }) => {
      const said = stderrTail.join('\n').trim();
      reject(new AgentStartError(`the berth agent exited (${signal ?? `code ${code}`}) before it was ready${said ? `: ${said}` : ''}`));
    });
    createInterface({ input: child.stdout! }).once('line', (line) => {
      try {
        const ready = JSON.parse(line) as Partial<ReadyLine>;
        if (typeof ready.bridge !== 'string' || typeof ready.tokenFile !== 'string' || typeof ready.docker !== 'string') throw new Error('fields missing');
        resolve({ ready: ready as ReadyLine, child, exited, stop });
      } catch {
        void stop();
        reject(new AgentStartError(`the berth agent printed an unexpected ready line: ${line.slice(0, 200)}`));
      }
    });
  });
}
