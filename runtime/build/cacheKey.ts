// The cache key of one step. Docker's classic builder finds a cached step by comparing the
// whole run config of a child image with the one the step would produce; berth keys the same
// inputs explicitly, so a lookup is one digest: the parent image, the step as it will run
// (after substitution, with the shell and the `|N K=V` build-arg prefix already in
// `createdBy`), the run config the step sees (Env, User, WorkingDir, Shell …, because the
// same RUN under another USER or ENV is another step), and for COPY/ADD the sources' hash.
import { createHash } from 'node:crypto';
import type { ContainerConfig } from '../store/imageConfig';

export interface CacheKeyInput {
  /** Image ID of the parent (`sha256:…`), or '' for scratch. */
  parent: string;
  /** The step's history text: the instruction after substitution, as Docker records it. */
  createdBy: string;
  /** The config the step runs with (for metadata steps: the config it produces). */
  config: ContainerConfig;
  /** Build args visible to the step, `K=V`, any order. */
  buildArgs: readonly string[];
  /** COPY/ADD: the sources' hash from copySources; COPY --from also names the source image. */
  sourceHash?: string;
  copyFrom?: string;
  /** ADD/COPY --chown, RUN --network …: options that change the result but not the text. */
  options?: Readonly<Record<string, string>>;
}

export const CACHE_KEY_VERSION = 'berth-build-cache-v1';

export function cacheKey(input: CacheKeyInput): string {
  const doc = {
    v: CACHE_KEY_VERSION,
    parent: input.parent,
    createdBy: input.createdBy,
    config: canonical(input.config),
    buildArgs: [...input.buildArgs].sort(),
    sourceHash: input.sourceHash ?? '',
    copyFrom: input.copyFrom ?? '',
    options: canonical(input.options ?? {}),
  };
  return `sha256:${createHash('sha256').update(JSON.stringify(doc)).digest('hex')}`;
}

/** Objects with sorted keys and no undefined members, so equal configs give equal text. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = canonical(v);
    }
    return out;
  }
  return value;
}
