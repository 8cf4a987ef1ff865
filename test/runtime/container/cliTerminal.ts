// A docker CLI in a real terminal, driven like a user: util-linux `script` gives the CLI a pty
// (script relays our pipe to the pty master and the pty's output back), we type, read what the
// terminal shows, and resize it the way a terminal emulator does (TIOCSWINSZ on the pty, here
// `stty -F`), which sends the CLI its SIGWINCH. Every wait is on output or on the exit, with a
// deadline only as a safety net.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFile, readlink } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

export class CliTerminal {
  /** Everything the terminal has shown so far. */
  output = '';
  readonly exited: Promise<number>;
  private readonly child: ChildProcess;
  private listeners = new Set<() => void>();

  /** Runs `cli args…` in a new terminal of `rows` × `cols`. */
  constructor(cli: string, args: string[], env: NodeJS.ProcessEnv, size: { rows: number; cols: number } = { rows: 30, cols: 90 }) {
    const command = `stty rows ${size.rows} cols ${size.cols}; exec ${[cli, ...args].map(shellQuote).join(' ')}`;
    // -e: script exits with the CLI's exit code; -f: output is flushed as it comes.
    this.child = spawn('script', ['-qefc', command, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      this.output += chunk;
      for (const listener of [...this.listeners]) listener();
    });
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.output += chunk));
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => {
        for (const listener of [...this.listeners]) listener();
        resolve(code ?? (signal !== null ? 128 : -1));
      }),
    );
  }

  /** Resolves once the output (after `from`) matches; rejects if the CLI exits first. */
  waitFor(pattern: RegExp, from = 0, timeoutMs = 30_000): Promise<string> {
    return new Promise((resolve, reject) => {
      let done = false;
      const check = (): void => {
        if (done) return;
        const text = this.output.slice(from);
        if (pattern.test(text)) finish(() => resolve(text));
        else if (this.child.exitCode !== null || this.child.signalCode !== null) finish(() => reject(new Error(`the CLI exited before ${pattern} appeared; the terminal showed ${JSON.stringify(this.output)}`)));
      };
      const timer = setTimeout(() => finish(() => reject(new Error(`${pattern} did not appear within ${timeoutMs} ms; the terminal showed ${JSON.stringify(this.output)}`))), timeoutMs);
      const finish = (settle: () => void): void => {
        done = true;
        clearTimeout(timer);
        this.listeners.delete(check);
        settle();
      };
      this.listeners.add(check);
      check();
    });
  }

  /** Types `text`; returns the output position before it, for a following waitFor. */
  type(text: string): number {
    const mark = this.output.length;
    this.child.stdin!.write(text);
    return mark;
  }

  /** Resizes the CLI's terminal, as a terminal emulator would. */
  async resize(rows: number, cols: number): Promise<void> {
    const pid = this.child.pid!;
    const children = (await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8')).trim().split(/\s+/);
    const cliPid = children[0];
    if (cliPid === undefined || cliPid === '') throw new Error('the CLI is not running under script');
    const tty = await readlink(`/proc/${cliPid}/fd/0`);
    if (!tty.startsWith('/dev/pts/')) throw new Error(`the CLI's stdin is ${tty}, not a terminal`);
    await run('stty', ['-F', tty, 'rows', String(rows), 'cols', String(cols)]);
    // stty sets rows and columns with one ioctl each, so the CLI may read the size halfway; a
    // terminal emulator sets both at once and signals once, after: do that last signal too.
    process.kill(Number(cliPid), 'SIGWINCH');
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}
