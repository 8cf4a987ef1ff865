// What `docker run` asks for beyond the process: mounts (bind, volume, tmpfs), a read-only root,
// capabilities, privileged mode and an init. Normalised at the API boundary (api/runOptionsBody.ts)
// into plain data; mounts.ts plans and maps it, engine/containerMounts.ts does the I/O.

export type Propagation = 'private' | 'rprivate' | 'shared' | 'rshared' | 'slave' | 'rslave';

export const PROPAGATIONS: readonly Propagation[] = ['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave'];

/** Where a mount request came from: decides precedence, and what `docker inspect` shows. */
export type MountOrigin = 'binds' | 'mounts' | 'tmpfs' | 'volumes' | 'image';

export interface MountRequest {
  type: 'bind' | 'volume' | 'tmpfs';
  /** bind: an absolute host path; volume: its name, or '' for a new anonymous one; tmpfs: ''. */
  source: string;
  /** Absolute path in the container. */
  target: string;
  readOnly: boolean;
  /** bind: mount propagation ('' = Docker's default, rprivate). */
  propagation: Propagation | '';
  /** bind: `-v` creates a missing source directory (Docker's legacy rule); `--mount` refuses. */
  createSource: boolean;
  /** volume: do not copy the image's content into a new, empty volume (`nocopy`). */
  noCopy: boolean;
  /** volume: labels given to a volume this mount creates (`--mount volume-label=`). */
  volumeLabels: Record<string, string>;
  /** tmpfs: mount options (`size=64m`, `mode=1777`, `exec`, …) as given. */
  tmpfsOptions: string[];
  /** Docker's inspect `Mode`: the `-v` mode text (`ro`, `z`, …); '' for `--mount`. */
  mode: string;
  origin: MountOrigin;
}

/** A mount as the container has it: every anonymous volume has its generated name. */
export interface MountPoint extends MountRequest {
  /** A volume made for this container only: `docker rm -v` and `--rm` remove it. */
  anonymous: boolean;
}

export interface RunOptions {
  /** From HostConfig.Binds, HostConfig.Mounts, HostConfig.Tmpfs and Config.Volumes (the image's VOLUMEs join at create). */
  mounts: MountRequest[];
  /** As the client sent them, for `docker inspect`. */
  binds: string[] | null;
  hostMounts: Record<string, unknown>[] | null;
  tmpfs: Record<string, string> | null;
  volumes: Record<string, Record<string, never>> | null;
  readonlyRootfs: boolean;
  /** Normalised names (`CAP_X`, or `ALL`). */
  capAdd: string[] | null;
  capDrop: string[] | null;
  privileged: boolean;
  /** `--init`: run the process under tini (as /sbin/docker-init). null: not asked. */
  init: boolean | null;
}

export const NO_RUN_OPTIONS: RunOptions = {
  mounts: [],
  binds: null,
  hostMounts: null,
  tmpfs: null,
  volumes: null,
  readonlyRootfs: false,
  capAdd: null,
  capDrop: null,
  privileged: false,
  init: null,
};
