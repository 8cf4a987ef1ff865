// The image configuration (OCI image-spec config.md, Docker's container.image.v1): what a
// container of the image runs and which layer diffs make its root filesystem. The image ID is
// the digest of these bytes, so callers keep the original bytes; this parser only checks and
// types them. Field names keep the JSON's spelling so a parsed config can be written back.
import { parseDigest, type Digest } from './digest';
import {
  asArray,
  asObject,
  asString,
  failFor,
  optBoolean,
  optKeySet,
  optNonNegativeInteger,
  optString,
  optStringArray,
  optStringMap,
  parseJsonObject,
  type Fail,
  type KeySet,
} from './untrustedJson';

export const MAX_CONFIG_SIZE = 8 * 1024 * 1024;

export interface HealthConfig {
  Test?: string[];
  /** Durations in nanoseconds. */
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  StartInterval?: number;
  Retries?: number;
}

export interface ContainerConfig {
  User?: string;
  ExposedPorts?: KeySet;
  Env?: string[];
  Entrypoint?: string[];
  Cmd?: string[];
  Volumes?: KeySet;
  WorkingDir?: string;
  Labels?: Record<string, string>;
  StopSignal?: string;
  Healthcheck?: HealthConfig;
  OnBuild?: string[];
  Shell?: string[];
  ArgsEscaped?: boolean;
}

export interface HistoryEntry {
  created?: string;
  created_by?: string;
  author?: string;
  comment?: string;
  empty_layer?: boolean;
}

export interface ImageConfig {
  created?: string;
  author?: string;
  architecture: string;
  os: string;
  'os.version'?: string;
  variant?: string;
  config?: ContainerConfig;
  rootfs: { type: 'layers'; diff_ids: Digest[] };
  history?: HistoryEntry[];
}

export function parseImageConfig(bytes: Uint8Array | string): ImageConfig {
  const fail = failFor('image config');
  const doc = parseJsonObject(bytes, MAX_CONFIG_SIZE, fail);
  const config: ImageConfig = {
    architecture: asString(doc.architecture, 'architecture', fail),
    os: asString(doc.os, 'os', fail),
    rootfs: parseRootfs(doc.rootfs, fail),
  };
  setIfDefined(config, 'created', optString(doc.created, 'created', fail));
  setIfDefined(config, 'author', optString(doc.author, 'author', fail));
  setIfDefined(config, 'os.version', optString(doc['os.version'], '"os.version"', fail));
  setIfDefined(config, 'variant', optString(doc.variant, 'variant', fail));
  if (doc.config !== undefined && doc.config !== null) config.config = parseContainerConfig(doc.config, fail);
  if (doc.history !== undefined && doc.history !== null) {
    config.history = asArray(doc.history, 'history', fail).map((item, i) => parseHistory(item, `history[${i}]`, fail));
  }
  return config;
}

function parseRootfs(value: unknown, fail: Fail): ImageConfig['rootfs'] {
  const rootfs = asObject(value, 'rootfs', fail);
  if (rootfs.type !== 'layers') fail('rootfs.type', `must be "layers", got ${JSON.stringify(rootfs.type)}`);
  const diffIds = asArray(rootfs.diff_ids, 'rootfs.diff_ids', fail).map((item, i) => {
    try {
      return parseDigest(item);
    } catch (error) {
      return fail(`rootfs.diff_ids[${i}]`, (error as Error).message);
    }
  });
  return { type: 'layers', diff_ids: diffIds };
}

function parseContainerConfig(value: unknown, fail: Fail): ContainerConfig {
  const doc = asObject(value, 'config', fail);
  const out: ContainerConfig = {};
  setIfDefined(out, 'User', optString(doc.User, 'config.User', fail));
  setIfDefined(out, 'ExposedPorts', optKeySet(doc.ExposedPorts, 'config.ExposedPorts', fail));
  setIfDefined(out, 'Env', optStringArray(doc.Env, 'config.Env', fail));
  setIfDefined(out, 'Entrypoint', optStringArray(doc.Entrypoint, 'config.Entrypoint', fail));
  setIfDefined(out, 'Cmd', optStringArray(doc.Cmd, 'config.Cmd', fail));
  setIfDefined(out, 'Volumes', optKeySet(doc.Volumes, 'config.Volumes', fail));
  setIfDefined(out, 'WorkingDir', optString(doc.WorkingDir, 'config.WorkingDir', fail));
  setIfDefined(out, 'Labels', optStringMap(doc.Labels, 'config.Labels', fail));
  setIfDefined(out, 'StopSignal', optString(doc.StopSignal, 'config.StopSignal', fail));
  setIfDefined(out, 'OnBuild', optStringArray(doc.OnBuild, 'config.OnBuild', fail));
  setIfDefined(out, 'Shell', optStringArray(doc.Shell, 'config.Shell', fail));
  setIfDefined(out, 'ArgsEscaped', optBoolean(doc.ArgsEscaped, 'config.ArgsEscaped', fail));
  if (doc.Healthcheck !== undefined && doc.Healthcheck !== null) {
    const health = asObject(doc.Healthcheck, 'config.Healthcheck', fail);
    const healthcheck: HealthConfig = {};
    setIfDefined(healthcheck, 'Test', optStringArray(health.Test, 'config.Healthcheck.Test', fail));
    for (const key of ['Interval', 'Timeout', 'StartPeriod', 'StartInterval', 'Retries'] as const) {
      setIfDefined(healthcheck, key, optNonNegativeInteger(health[key], `config.Healthcheck.${key}`, fail));
    }
    out.Healthcheck = healthcheck;
  }
  return out;
}

function parseHistory(value: unknown, field: string, fail: Fail): HistoryEntry {
  const doc = asObject(value, field, fail);
  const out: HistoryEntry = {};
  setIfDefined(out, 'created', optString(doc.created, `${field}.created`, fail));
  setIfDefined(out, 'created_by', optString(doc.created_by, `${field}.created_by`, fail));
  setIfDefined(out, 'author', optString(doc.author, `${field}.author`, fail));
  setIfDefined(out, 'comment', optString(doc.comment, `${field}.comment`, fail));
  setIfDefined(out, 'empty_layer', optBoolean(doc.empty_layer, `${field}.empty_layer`, fail));
  return out;
}

/** Leaves absent fields absent rather than present-and-undefined, so objects compare cleanly. */
function setIfDefined<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}
