// What a container is made from, normalised at the API boundary: the parts of Docker's create
// body (Config + HostConfig) berth supports, plus the image facts the spec needs. Plain data.
import type { MountPoint, RunOptions } from './runOptions';
import type { StdioConfig } from './stdioConfig';

export type NetworkMode = 'none' | 'host';

export interface CreateRequest {
  image: string;
  name?: string;
  /** undefined: not given (the image's applies); [] : explicitly empty. */
  cmd?: string[];
  entrypoint?: string[];
  env: string[];
  workingDir?: string;
  user?: string;
  labels: Record<string, string>;
  hostname?: string;
  networkMode: NetworkMode;
  autoRemove: boolean;
  stopSignal?: string;
  stopTimeout?: number;
  /** Mounts, read-only root, capabilities, privileged, init (runOptions.ts); absent: none. */
  run?: RunOptions;
  /** `-i`, `-t`, `-a` (stdioConfig.ts); absent: none. */
  stdio?: StdioConfig;
}

/** The container as created: everything needed to run it again after a restart. */
export interface ContainerRecord {
  id: string;
  name: string;
  created: string;
  image: string;
  imageId: string;
  /** The process: path and args as the runtime runs them. */
  path: string;
  args: string[];
  config: {
    hostname: string;
    env: string[];
    cmd?: string[];
    entrypoint?: string[];
    workingDir: string;
    user: string;
    labels: Record<string, string>;
    stopSignal: string;
    stopTimeout?: number;
    /** Absent in records older than interactive containers: none. */
    stdio?: StdioConfig;
  };
  hostConfig: { networkMode: NetworkMode; autoRemove: boolean };
  /** What was asked for (absent in records older than mounts). */
  run?: RunOptions;
  /** The mounts as planned at create, anonymous volumes named. */
  mounts?: MountPoint[];
  /** Layers bottom first, as diff IDs, for the snapshotter. */
  diffIds: string[];
  state: ContainerRunState;
}

export interface ContainerRunState {
  status: 'created' | 'running' | 'exited' | 'removing';
  pid: number;
  exitCode: number;
  startedAt?: string;
  finishedAt?: string;
  error?: string;
}
