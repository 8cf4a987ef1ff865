// `_ping`, `version` and `info`: who is answering and what it can do.
import * as os from 'node:os';
import { API_VERSION, MIN_API_VERSION } from './apiVersion';
import type { HandlerContext } from './handler';
import { sendJson } from './responses';

/** `GET|HEAD /_ping` → `OK` with the headers the CLI reads to pick a version and a builder. */
export async function ping({ req, res }: HandlerContext): Promise<void> {
  res.setHeader('Builder-Version', '1');
  res.setHeader('Cache-Control', 'no-cache, no-store, must-revalidate');
  res.setHeader('Pragma', 'no-cache');
  res.setHeader('Swarm', 'inactive');
  res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': 2 });
  res.end(req.method === 'HEAD' ? undefined : 'OK');
}

function goArch(): string {
  return { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x' }[process.arch as string] ?? process.arch;
}

/** `GET /version` */
export async function version({ res, identity }: HandlerContext): Promise<void> {
  const details = { ApiVersion: API_VERSION, MinAPIVersion: MIN_API_VERSION, Os: 'linux', Arch: goArch(), KernelVersion: os.release(), GitCommit: '', GoVersion: process.version, BuildTime: '', Experimental: 'false' };
  sendJson(res, 200, {
    Platform: { Name: `berth ${identity.version}` },
    Components: [{ Name: 'Engine', Version: identity.version, Details: details }],
    Version: identity.version,
    ApiVersion: API_VERSION,
    MinAPIVersion: MIN_API_VERSION,
    GitCommit: '',
    GoVersion: process.version,
    Os: 'linux',
    Arch: goArch(),
    KernelVersion: os.release(),
    BuildTime: '',
  });
}

/** `GET /info` */
export async function info({ res, engine, identity }: HandlerContext): Promise<void> {
  const facts = engine.facts();
  const { images } = await engine.images.list();
  const containers = engine.containers.list();
  const running = containers.filter((c) => c.state.status === 'running').length;
  sendJson(res, 200, {
    ID: facts.id,
    Containers: containers.length,
    ContainersRunning: running,
    ContainersPaused: 0,
    ContainersStopped: containers.length - running,
    Images: images.length,
    Driver: 'overlay2',
    DriverStatus: [],
    Plugins: { Volume: ['local'], Network: [], Authorization: null, Log: [] },
    MemoryLimit: false,
    SwapLimit: false,
    CpuCfsPeriod: false,
    CpuCfsQuota: false,
    CPUShares: false,
    CPUSet: false,
    PidsLimit: false,
    IPv4Forwarding: false,
    Debug: false,
    NFd: 0,
    NGoroutines: 0,
    SystemTime: new Date().toISOString(),
    LoggingDriver: 'json-file',
    CgroupDriver: 'cgroupfs',
    CgroupVersion: '2',
    NEventsListener: 0,
    KernelVersion: os.release(),
    OperatingSystem: `berth ${identity.version}`,
    OSVersion: '',
    OSType: 'linux',
    Architecture: os.machine(),
    IndexServerAddress: 'https://index.docker.io/v1/',
    RegistryConfig: { IndexConfigs: {}, InsecureRegistryCIDRs: [], Mirrors: [] },
    NCPU: os.availableParallelism(),
    MemTotal: os.totalmem(),
    DockerRootDir: facts.rootDir,
    Name: os.hostname(),
    Labels: [],
    ExperimentalBuild: false,
    ServerVersion: identity.version,
    Runtimes: {},
    DefaultRuntime: 'runc',
    Swarm: { NodeID: '', NodeAddr: '', LocalNodeState: 'inactive', ControlAvailable: false, Error: '', RemoteManagers: null },
    LiveRestoreEnabled: false,
    Isolation: '',
    InitBinary: 'docker-init',
    SecurityOptions: [],
    Warnings: ['berth runs images only so far: containers, builds and registries are not available yet'],
  });
}
