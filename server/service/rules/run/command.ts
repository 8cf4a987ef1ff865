// Which program a simple command runs, seen through the wrappers people put in front of it
// (`sudo`, `env VAR=x`, `VAR=x`, `command`, `exec`, `nice`...), and a getopt-like reading of
// its arguments so rules can ask "is there a -y?" without caring where it is written.
import type { ShellWord, SimpleCommand } from '../../shell';
import { basename } from '../../shell';

export interface Invocation {
  /** Basename of the program, e.g. `apt-get` for `/usr/bin/apt-get`. */
  readonly name: string;
  /** The word naming the program. */
  readonly word: ShellWord;
  /** The words after the program name. */
  readonly args: readonly ShellWord[];
  /** The `sudo` word when the program runs through sudo. */
  readonly sudo: ShellWord | null;
  /** Whether that sudo has options of its own (then it cannot simply be deleted). */
  readonly sudoHasOptions: boolean;
  /** The word after `sudo` (where the command really starts), for deleting `sudo `. */
  readonly afterSudo: ShellWord | null;
  readonly command: SimpleCommand;
}

// Words that open a compound command and are followed by a command (`if apt-get update; then`).
const RESERVED = new Set(['if', 'then', 'else', 'elif', 'do', 'while', 'until', '!', '{', 'time']);
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=/;

// Options of the wrappers that take a value in the next word.
const SUDO_VALUE_OPTIONS = new Set(['-u', '-g', '-h', '-p', '-C', '-D', '-r', '-t', '-T', '-U', '--user', '--group', '--host', '--prompt', '--close-from', '--chdir', '--role', '--type', '--command-timeout', '--other-user']);
const ENV_VALUE_OPTIONS = new Set(['-u', '-C', '-S', '--unset', '--chdir', '--split-string']);

export function resolveInvocation(command: SimpleCommand): Invocation | null {
  const words = command.words;
  let k = 0;
  let sudo: ShellWord | null = null;
  let sudoHasOptions = false;
  let afterSudo: ShellWord | null = null;
  const skipAssignments = (): void => {
    while (k < words.length && ASSIGNMENT.test(words[k].value) && !words[k].argv) k++;
  };
  while (k < words.length && RESERVED.has(words[k].value) && !words[k].quoted) k++;
  skipAssignments();
  for (;;) {
    if (k >= words.length) return null;
    const name = basename(words[k].value);
    if (name === 'sudo' || name === 'env') {
      const valueOptions = name === 'sudo' ? SUDO_VALUE_OPTIONS : ENV_VALUE_OPTIONS;
      const wrapper = words[k++];
      let options = false;
      while (k < words.length && words[k].value.startsWith('-') && words[k].value !== '-') {
        const opt = words[k++].value;
        options = true;
        if (opt === '--') break;
        if (valueOptions.has(opt)) k++;
      }
      if (name === 'sudo' && sudo === null) {
        sudo = wrapper;
        sudoHasOptions = options;
        afterSudo = words[k] ?? null;
      }
      skipAssignments();
    } else if (name === 'command' || name === 'exec' || name === 'nohup' || name === 'time') {
      k++;
      while (k < words.length && /^-[a-z]+$/.test(words[k].value)) k++;
    } else if (name === 'nice') {
      k++;
      if (words[k]?.value === '-n') k += 2;
      else if (words[k] && /^-(n)?-?\d+$/.test(words[k].value)) k++;
    } else {
      break;
    }
  }
  const word = words[k];
  return { name: basename(word.value), word, args: words.slice(k + 1), sudo, sudoHasOptions, afterSudo, command };
}

export interface Option {
  /** Without dashes: `y` for `-y`, `assume-yes` for `--assume-yes`. */
  readonly name: string;
  readonly long: boolean;
  readonly value: string | null;
  readonly word: ShellWord;
}

export interface ParsedArgs {
  readonly options: readonly Option[];
  /** Non-option words in order (subcommand, packages...); option values are not included. */
  readonly operands: readonly ShellWord[];
}

export interface OptionSpec {
  /** Short option letters that take a value (`-t release`, `-trelease`). */
  readonly shortValue?: string;
  /** Long options that take a value (`--target-release release`, `--target-release=release`). */
  readonly longValue?: readonly string[];
}

/** Reads arguments the way getopt_long does with permutation: options may come anywhere. */
export function parseArgs(args: readonly ShellWord[], spec: OptionSpec = {}): ParsedArgs {
  const options: Option[] = [];
  const operands: ShellWord[] = [];
  for (let k = 0; k < args.length; k++) {
    const word = args[k];
    const a = word.value;
    if (a === '--') {
      operands.push(...args.slice(k + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      let value: string | null = eq < 0 ? null : a.slice(eq + 1);
      if (value === null && spec.longValue?.includes(name) && k + 1 < args.length) value = args[++k].value;
      options.push({ name, long: true, value, word });
    } else if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const name = a[j];
        if (spec.shortValue?.includes(name)) {
          let value = a.slice(j + 1);
          if (value === '' && k + 1 < args.length) value = args[++k].value;
          options.push({ name, long: false, value, word });
          break;
        }
        options.push({ name, long: false, value: null, word });
      }
    } else {
      operands.push(word);
    }
  }
  return { options, operands };
}

export function hasOption(parsed: ParsedArgs, ...names: string[]): boolean {
  return parsed.options.some((o) => names.includes(o.name));
}
