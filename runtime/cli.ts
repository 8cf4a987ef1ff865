// The `berth` command line: the runtime agent and its verbs. This issue gives it only
// --version and --help; later issues add `serve`, `build`, `up` and the rest.
import { version } from '../package.json';

const HELP = `berth ${version}: container tooling for editors

Usage:
  berth [--version | --help]

Options:
  -v, --version   print the version and exit
  -h, --help      print this help and exit

The runtime agent's verbs (serve, build, run, pull, push, up, ...) are not available
in this build yet. The Dockerfile language server is \`node dist/server.js --stdio\`.
`;

export function main(argv: string[]): number {
  const [first] = argv;
  if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  if (first === '-v' || first === '--version' || first === 'version') {
    process.stdout.write(`berth ${version}\n`);
    return 0;
  }
  process.stderr.write(`berth: unknown command or option '${first}'. Run 'berth --help' for what is available.\n`);
  return 2;
}

process.exitCode = main(process.argv.slice(2));
