// Types for scripts/codeServer.mjs, for the TypeScript that uses it (scripts/start.ts, test/e2e/).
export declare const CODE_SERVER_VERSION: string;

/** The code-server entry point (run it with node), installed first if needed. */
export declare function ensureCodeServer(log?: (line: string) => void): string;

export interface CodeServer {
  /** http://127.0.0.1:PORT/ */
  url: string;
  /** Ends code-server and every process it started; resolves when they are gone. */
  stop(): Promise<void>;
  /** Resolves when code-server's main process exits. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export declare function startCodeServer(options: {
  vsix: string;
  folder: string;
  dir: string;
  log?: (line: string) => void;
}): Promise<CodeServer>;
