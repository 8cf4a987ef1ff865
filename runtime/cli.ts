// The `berth` command line: the runtime agent and its verbs. `serve` runs the agent; `import`
// talks to a running agent over its socket. Later issues add `build`, `run`, `up` and the rest.
import { version } from '../package.json';
import { importThroughAgent, socketFromDockerHost } from './api/importClient';
import { check, CHECK_USAGE } from './check/checkCommand';
import { parseServeArgs, serve, SERVE_USAGE, UsageError } from './serve/serveCommand';

const HELP = `berth ${version}: container tooling for editors

Usage:
  berth [--version | --help]
  berth serve [--root DIR] [--docker-socket PATH] [--shutdown-timeout SECONDS] [--bridge-port PORT]
  berth import [--docker-socket PATH] [--message TEXT] FILE|- [NAME[:TAG]]
  berth check [--root DIR]

Commands:
  serve     run the agent: a Docker-compatible API on a UNIX socket (images so far:
            docker version, info, images, inspect, history, tag, rmi, image prune,
            load, save, import, events). Prints one JSON line when ready; stops on SIGTERM.
  import    import a root file system tar as a one-layer image, through a running agent
            (its socket: --docker-socket, else DOCKER_HOST=unix://…, else ~/.local/share/berth/docker.sock)
  check     verify the image store under a root (every blob, every name); read-only

Options:
  -v, --version   print the version and exit
  -h, --help      print this help and exit

Not available in this build yet: containers (run, ps, exec, logs), build, pull, push, up.
The Dockerfile language server is \`node dist/server.js --stdio\`.
`;

export async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  if (first === '-v' || first === '--version' || first === 'version') {
    process.stdout.write(`berth ${version}\n`);
    return 0;
  }
  try {
    if (first === 'serve') {
      if (rest.includes('--help') || rest.includes('-h')) {
        process.stdout.write(SERVE_USAGE);
        return 0;
      }
      return await serve(parseServeArgs(rest), version);
    }
    if (first === 'import') return await runImport(rest);
    if (first === 'check') {
      if (rest.includes('--help') || rest.includes('-h')) {
        process.stdout.write(CHECK_USAGE);
        return 0;
      }
      return await check(rest);
    }
  } catch (error) {
    process.stderr.write(`berth ${first}: ${(error as Error).message}\n`);
    return error instanceof UsageError ? 2 : 1;
  }
  process.stderr.write(`berth: unknown command or option '${first}'. Run 'berth --help' for what is available.\n`);
  return 2;
}

async function runImport(argv: string[]): Promise<number> {
  let socketPath: string | undefined;
  let message: string | undefined;
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--docker-socket' || arg === '--message' || arg === '-m') {
      const value = argv[++i];
      if (value === undefined) throw new UsageError(`${arg} needs a value`);
      if (arg === '--docker-socket') socketPath = value;
      else message = value;
    } else if (arg.startsWith('-') && arg !== '-') throw new UsageError(`unknown option ${JSON.stringify(arg)} for import`);
    else positional.push(arg);
  }
  if (positional.length < 1 || positional.length > 2) throw new UsageError('usage: berth import [--docker-socket PATH] [--message TEXT] FILE|- [NAME[:TAG]]');
  const dockerHost = process.env.DOCKER_HOST;
  socketPath ??= dockerHost !== undefined && dockerHost !== '' ? socketFromDockerHost(dockerHost) : parseServeArgs([]).dockerSocket;
  const id = await importThroughAgent({ socketPath, file: positional[0], ref: positional[1], message });
  process.stdout.write(`${id}\n`);
  return 0;
}

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
