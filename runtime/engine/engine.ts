// The one interface the front ends (the Docker API server, later the bridge and the CLI verbs)
// use: images, containers and volumes so far; builds and registries join as they land.
import type { Readable } from 'node:stream';
import type { IngestSource } from '../store/contentStore';
import type { Digest } from '../store/digest';
import type { ImageHistoryItem, ImageSummary } from '../image/imageInfo';
import type { EngineEvents } from './events';
import type { ContainerRecord, CreateRequest } from '../container/containerConfig';
import type { LogRecord } from '../container/containerLog';
import type { ContainerAttachOptions, ContainerStdio } from './containerStdio';
import type { ExecEngine } from './execEngine';
import type { VolumeRecord } from '../volume/volumeStore';

/** One line of `docker rmi` / `docker image prune` output. */
export type ImageDeleteItem = { untagged: string } | { deleted: Digest };

export interface ImageListResult {
  images: ImageSummary[];
  /** Names whose documents cannot be read; not listed as images. */
  unreadable: { name: string; reason: string }[];
}

export interface RemoveImageOptions {
  /** Remove an image ID even if several repositories name it. */
  force?: boolean;
  /** Keep the blobs (only the names go). */
  noPrune?: boolean;
}

export interface PruneResult {
  items: ImageDeleteItem[];
  bytesFreed: number;
}

export interface ImportImageOptions {
  /** History comment (`docker import --message`). */
  message?: string;
  /** `os/arch` as `docker import --platform` sends it; only the host's is supported. */
  platform?: string;
  /** Called with the uncompressed bytes read so far. */
  onProgress?: (bytes: number) => void;
}

export interface ImageEngine {
  list(): Promise<ImageListResult>;
  /** Throws ImageError 'not-found' when nothing matches. */
  inspect(ref: string): Promise<ImageSummary>;
  history(ref: string): Promise<ImageHistoryItem[]>;
  /** Points `target` (`repo[:tag]`, tag defaults to latest) at the image `source` names. */
  tag(source: string, target: string): Promise<void>;
  remove(ref: string, options?: RemoveImageOptions): Promise<ImageDeleteItem[]>;
  /** Removes untagged images, or every image with `all`; images containers use stay. */
  prune(options: { all: boolean }): Promise<PruneResult>;
  /** A `docker save` archive, plain or gzip; `onProgress` gets Docker's `Loaded image: …` lines. */
  load(source: IngestSource, onProgress?: (line: string) => void): Promise<void>;
  /** Checks every name before returning; the stream fails if a blob turns out corrupt. */
  save(refs: string[]): Promise<Readable>;
  /** `docker import`: a rootfs tar becomes a one-layer image, named `ref` or untagged. Names and options are checked before the source is read. */
  importRootfs(source: IngestSource, ref: string | undefined, options?: ImportImageOptions): Promise<Digest>;
}

export type WaitCondition = 'not-running' | 'next-exit' | 'removed';

export interface LogOptions {
  follow: boolean;
  tail?: number;
  /** Nanoseconds since the epoch. */
  since?: bigint;
  until?: bigint;
  signal?: AbortSignal;
}

export interface ContainerEngine {
  /** Throws EngineError 'unsupported' with the host's problems when containers cannot run here. */
  create(request: CreateRequest): Promise<{ id: string; warnings: string[] }>;
  list(): ContainerRecord[];
  /** Full ID, unique ID prefix or name; throws EngineError 'not-found'. */
  inspect(ref: string): ContainerRecord;
  /** false when it was already running. */
  start(ref: string): Promise<boolean>;
  /** Resolves with the exit code once `condition` holds. */
  wait(ref: string, condition: WaitCondition): Promise<{ exitCode: number }>;
  kill(ref: string, signal?: string): Promise<void>;
  /** false when it was not running. `timeoutSeconds` before SIGKILL; default the container's. */
  stop(ref: string, timeoutSeconds?: number): Promise<boolean>;
  /** `volumes`: also remove the container's anonymous volumes (`docker rm -v`). */
  remove(ref: string, options: { force: boolean; volumes?: boolean }): Promise<void>;
  /** Stops (if running, `timeoutSeconds` as stop) and starts again. */
  restart(ref: string, timeoutSeconds?: number): Promise<void>;
  /** Removes every container that is not running and that `matches` accepts. */
  prune(matches: (record: ContainerRecord) => boolean): Promise<{ deleted: string[]; spaceReclaimed: number }>;
  /** The output so far and, with `follow`, until the container exits. */
  logs(ref: string, options: LogOptions): AsyncGenerator<LogRecord>;
  /**
   * The container's stdio (conmon's attach socket): now when it runs, else from its next start
   * (`docker run` attaches, then starts). Throws EngineError 'not-found'.
   */
  attachStdio(ref: string, options: ContainerAttachOptions): ContainerStdio;
  /** Resizes the terminal of a running container; throws EngineError 'conflict' when it is not running. */
  resize(ref: string, height: number, width: number): Promise<void>;
}

/** A volume as the front ends show it. */
export interface VolumeInfo extends VolumeRecord {
  /** The host directory containers mount. */
  mountpoint: string;
}

export interface CreateVolumeOptions {
  /** Omitted: a random 64-hex name. */
  name?: string;
  labels?: Record<string, string>;
  /** Only `local` (or empty). */
  driver?: string;
  driverOpts?: Record<string, string>;
}

export interface VolumeEngine {
  /** Creates the volume, or returns the existing one of that name. */
  create(options: CreateVolumeOptions): Promise<VolumeInfo>;
  list(): VolumeInfo[];
  /** Throws EngineError 'not-found'. */
  inspect(name: string): VolumeInfo;
  /** IDs of the containers (running or not) that mount it. */
  usedBy(name: string): string[];
  /** 409 (EngineError 'conflict') while a container uses it; `force`: a missing volume is no error. */
  remove(name: string, options: { force: boolean }): Promise<void>;
  /** Removes every unused volume that `matches` accepts. */
  prune(matches: (volume: VolumeInfo) => boolean): Promise<{ deleted: string[]; spaceReclaimed: number }>;
}

export interface EngineFacts {
  /** Where the engine keeps its state. */
  rootDir: string;
  /** Stable per root: Docker's `ID` in `docker info`. */
  id: string;
}

export interface Engine {
  readonly images: ImageEngine;
  readonly containers: ContainerEngine;
  readonly execs: ExecEngine;
  readonly volumes: VolumeEngine;
  readonly events: EngineEvents;
  facts(): EngineFacts;
}
