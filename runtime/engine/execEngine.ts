// Exec sessions as the front ends see them (`docker exec`): created against a running container,
// started once (attached or detached), resized, inspected for their exit code. Plain types; the
// implementation is execService.ts.
import type { AttachSocket } from '../container/attachSocket';

export interface ExecConfig {
  cmd: string[];
  /** `KEY=value`, over the container's environment. */
  env: string[];
  /** Empty: the container's. */
  workingDir?: string;
  /** `name`, `uid`, `uid:gid`…; empty: the container's user. */
  user?: string;
  tty: boolean;
  attachStdin: boolean;
  attachStdout: boolean;
  attachStderr: boolean;
  /** [height, width] of the client's terminal, applied before the process starts. */
  consoleSize?: [number, number];
}

export interface ExecInfo {
  id: string;
  containerId: string;
  config: ExecConfig;
  running: boolean;
  /** null until the process has ended. */
  exitCode: number | null;
  pid: number;
}

export interface ExecStartOptions {
  /** Run without a client attached (`docker exec -d`). */
  detach: boolean;
  /** [height, width], overriding the one given at create. */
  consoleSize?: [number, number];
}

export interface ExecStarted {
  tty: boolean;
  /** The process's stdio; undefined when detached. */
  socket: AttachSocket | undefined;
  /** The exit code, recorded in the session before this resolves. */
  exited: Promise<number>;
}

export interface ExecEngine {
  /** Throws EngineError 'not-found' for the container, 'conflict' when it is not running. Returns the session ID. */
  create(containerRef: string, config: ExecConfig): string;
  /** Throws EngineError 'not-found' (`No such exec instance: …`). */
  inspect(id: string): ExecInfo;
  /**
   * Starts the process. A process the runtime cannot start (not found, not executable) throws
   * ExecStartError, and the session records its exit code (127 or 126) as Docker does.
   */
  start(id: string, options: ExecStartOptions): Promise<ExecStarted>;
  /** Resizes the session's terminal; nothing to do without one, or once it has ended. */
  resize(id: string, height: number, width: number): Promise<void>;
}
