// Containers in Docker's JSON: the `docker ps` list item and the `docker inspect` document.
// Pure functions of the engine's records.
import type { ContainerRecord } from '../container/containerConfig';
import { NO_STDIO } from '../container/stdioConfig';
import { configVolumesJson, hostConfigRunJson, mountsJson, type VolumePath } from './dockerMountJson';

const ZERO_TIME = '0001-01-01T00:00:00Z';

function quoteArg(arg: string): string {
  return /[\s"'\\]/.test(arg) || arg === '' ? JSON.stringify(arg) : arg;
}

/** `Up 3 seconds`, `Exited (0) 2 minutes ago`, `Created`, as `docker ps` shows them. */
export function statusText(record: ContainerRecord, now: Date = new Date()): string {
  const { state } = record;
  if (state.status === 'running') return `Up ${humanDuration(now.getTime() - Date.parse(state.startedAt ?? record.created))}`;
  if (state.status === 'exited') return `Exited (${state.exitCode}) ${humanDuration(now.getTime() - Date.parse(state.finishedAt ?? record.created))} ago`;
  if (state.status === 'removing') return 'Removal In Progress';
  return 'Created';
}

/** Docker's units.HumanDuration. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.floor(seconds / 60);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.round(seconds / 3600);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.round(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.round(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.round(hours / 24 / 30)} months`;
  return `${Math.round(hours / 24 / 365)} years`;
}

function networks(record: ContainerRecord): Record<string, unknown> {
  return { [record.hostConfig.networkMode]: { NetworkID: '', EndpointID: '', Gateway: '', IPAddress: '', IPPrefixLen: 0, MacAddress: '' } };
}

const NO_VOLUME_PATH: VolumePath = () => '';

export function containerListItem(record: ContainerRecord, now?: Date, volumePath: VolumePath = NO_VOLUME_PATH): Record<string, unknown> {
  return {
    Id: record.id,
    Names: [`/${record.name}`],
    Image: record.image,
    ImageID: record.imageId,
    Command: [record.path, ...record.args].map(quoteArg).join(' '),
    Created: Math.floor(Date.parse(record.created) / 1000),
    Ports: [],
    Labels: record.config.labels,
    State: record.state.status,
    Status: statusText(record, now),
    HostConfig: { NetworkMode: record.hostConfig.networkMode },
    NetworkSettings: { Networks: networks(record) },
    Mounts: mountsJson(record, volumePath),
  };
}

export function containerInspect(record: ContainerRecord, volumePath: VolumePath = NO_VOLUME_PATH): Record<string, unknown> {
  const { state } = record;
  const stdio = record.config.stdio ?? NO_STDIO;
  return {
    Id: record.id,
    Created: record.created,
    Path: record.path,
    Args: record.args,
    State: {
      Status: state.status,
      Running: state.status === 'running',
      Paused: false,
      Restarting: false,
      OOMKilled: false,
      Dead: false,
      Pid: state.pid,
      ExitCode: state.exitCode,
      Error: state.error ?? '',
      StartedAt: state.startedAt ?? ZERO_TIME,
      FinishedAt: state.finishedAt ?? ZERO_TIME,
    },
    Image: record.imageId,
    Name: `/${record.name}`,
    RestartCount: 0,
    Driver: 'overlay',
    Platform: 'linux',
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    HostConfig: {
      NetworkMode: record.hostConfig.networkMode,
      AutoRemove: record.hostConfig.autoRemove,
      RestartPolicy: { Name: 'no', MaximumRetryCount: 0 },
      LogConfig: { Type: 'k8s-file', Config: {} },
      PortBindings: {},
      ...hostConfigRunJson(record),
      ...(stdio.consoleSize !== undefined ? { ConsoleSize: stdio.consoleSize } : {}),
    },
    Mounts: mountsJson(record, volumePath),
    Config: {
      Hostname: record.config.hostname,
      Domainname: '',
      User: record.config.user,
      AttachStdin: stdio.attachStdin,
      AttachStdout: stdio.attachStdout,
      AttachStderr: stdio.attachStderr,
      Tty: stdio.tty,
      OpenStdin: stdio.openStdin,
      StdinOnce: stdio.stdinOnce,
      Env: record.config.env,
      Cmd: record.config.cmd ?? null,
      Entrypoint: record.config.entrypoint ?? null,
      Image: record.image,
      WorkingDir: record.config.workingDir,
      Labels: record.config.labels,
      Volumes: configVolumesJson(record),
      StopSignal: record.config.stopSignal,
      ...(record.config.stopTimeout !== undefined ? { StopTimeout: record.config.stopTimeout } : {}),
    },
    NetworkSettings: { Networks: networks(record), Ports: {}, IPAddress: '', Gateway: '', MacAddress: '' },
  };
}
