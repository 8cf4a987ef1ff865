// Pure mappings from the engine's image data to the JSON shapes of Docker Engine API 1.41
// (`GET /images/json`, `/images/{name}/json`, `/images/{name}/history`, `DELETE /images/{name}`).
import type { ImageDeleteItem } from '../engine/engine';
import type { ImageHistoryItem, ImageSummary } from '../image/imageInfo';

const ZERO_TIME = '0001-01-01T00:00:00Z';

export function unixSeconds(rfc3339: string | undefined): number {
  if (rfc3339 === undefined) return 0;
  const ms = Date.parse(rfc3339);
  return Number.isNaN(ms) ? 0 : Math.floor(ms / 1000);
}

export function imageListItem(image: ImageSummary): object {
  return {
    Containers: -1,
    Created: unixSeconds(image.created),
    Id: image.id,
    Labels: Object.keys(image.labels).length > 0 ? image.labels : null,
    ParentId: '',
    RepoDigests: image.repoDigests,
    RepoTags: image.repoTags,
    SharedSize: -1,
    Size: image.size,
    VirtualSize: image.size,
  };
}

export function imageInspect(image: ImageSummary, comment: string): object {
  const config = image.config;
  return {
    Id: image.id,
    RepoTags: image.repoTags,
    RepoDigests: image.repoDigests,
    Parent: '',
    Comment: comment,
    Created: image.created ?? ZERO_TIME,
    Container: '',
    ContainerConfig: containerConfig({}),
    DockerVersion: '',
    Author: image.author ?? '',
    Config: containerConfig(config),
    Architecture: image.architecture,
    ...(image.variant !== undefined ? { Variant: image.variant } : {}),
    Os: image.os,
    Size: image.size,
    VirtualSize: image.size,
    GraphDriver: { Data: null, Name: 'overlay2' },
    RootFS: { Type: 'layers', Layers: image.diffIds },
    Metadata: { LastTagTime: ZERO_TIME },
  };
}

/** Docker's container config as inspect shows it: every field present, unset ones null or empty. */
function containerConfig(config: ImageSummary['config']): object {
  return {
    Hostname: '',
    Domainname: '',
    User: config.User ?? '',
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    ...(config.ExposedPorts !== undefined ? { ExposedPorts: config.ExposedPorts } : {}),
    Tty: false,
    OpenStdin: false,
    StdinOnce: false,
    Env: config.Env ?? null,
    Cmd: config.Cmd ?? null,
    ...(config.Healthcheck !== undefined ? { Healthcheck: config.Healthcheck } : {}),
    ...(config.ArgsEscaped !== undefined ? { ArgsEscaped: config.ArgsEscaped } : {}),
    Image: '',
    Volumes: config.Volumes ?? null,
    WorkingDir: config.WorkingDir ?? '',
    Entrypoint: config.Entrypoint ?? null,
    OnBuild: config.OnBuild ?? null,
    Labels: config.Labels ?? null,
    ...(config.StopSignal !== undefined ? { StopSignal: config.StopSignal } : {}),
    ...(config.Shell !== undefined ? { Shell: config.Shell } : {}),
  };
}

export function historyItem(item: ImageHistoryItem): object {
  return {
    Id: item.id,
    Created: unixSeconds(item.created),
    CreatedBy: item.createdBy,
    Tags: item.tags.length > 0 ? item.tags : null,
    Size: item.size,
    Comment: item.comment,
  };
}

export function deleteItem(item: ImageDeleteItem): object {
  return 'untagged' in item ? { Untagged: item.untagged } : { Deleted: item.deleted };
}

/**
 * Docker's `reference=` filter: a glob (`*` and `?` within a path component, `[…]` classes)
 * matched against `name:tag`, and against the bare `name` of a tagged reference.
 */
export function matchesReference(pattern: string, familiarRefs: string[]): boolean {
  const regex = globToRegExp(pattern);
  return familiarRefs.some((ref) => {
    if (regex.test(ref)) return true;
    const colon = ref.lastIndexOf(':');
    return colon > ref.lastIndexOf('/') && regex.test(ref.slice(0, colon));
  });
}

function globToRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else if (c === '[') {
      const close = pattern.indexOf(']', i + 1);
      if (close < 0) {
        source += '\\[';
        continue;
      }
      const body = pattern.slice(i + 1, close).replace(/\\/g, '\\\\');
      source += `[${body.startsWith('^') ? `^${body.slice(1)}` : body}]`;
      i = close;
    } else source += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}
