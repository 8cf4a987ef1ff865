// Typed instructions from Docker's raw nodes, with the argument and flag checks of the
// classic builder (buildkit v0.8 instructions/parse.go and bflag.go as vendored by dockerd
// 20.10). Values here are as written: variable substitution happens later, per step, because
// what a word expands to depends on the ENV and ARG lines before it.
import { BuildError } from './buildError';
import { parseMaybeJson, parseMaybeJsonToList, parseNameValues, parseWords, splitWhitespace, type RawInstruction } from './dockerfileSyntax';
import { parseGoDuration } from './goDuration';

interface Base {
  line: number;
  original: string;
}

export interface HealthcheckSpec {
  test: string[];
  /** Nanoseconds; 0 when not given. */
  interval: number;
  timeout: number;
  startPeriod: number;
  retries: number;
}

export type Instruction = Base &
  (
    | { kind: 'FROM'; baseName: string; stageName: string; platform: string }
    | { kind: 'ENV' | 'LABEL'; pairs: [string, string][]; /** --label values are not substituted. */ noSubstitution?: boolean }
    | { kind: 'MAINTAINER'; maintainer: string }
    | { kind: 'COPY' | 'ADD'; sources: string[]; dest: string; chown: string; chmod: string; from: string }
    | { kind: 'ONBUILD'; expression: string; trigger: string }
    | { kind: 'WORKDIR'; path: string }
    | { kind: 'RUN' | 'CMD' | 'ENTRYPOINT'; cmdLine: string[]; prependShell: boolean }
    | { kind: 'HEALTHCHECK'; health: HealthcheckSpec | 'NONE' }
    | { kind: 'EXPOSE'; ports: string[] }
    | { kind: 'USER'; user: string }
    | { kind: 'VOLUME'; volumes: string[] }
    | { kind: 'STOPSIGNAL'; signal: string }
    | { kind: 'ARG'; args: { key: string; value: string | undefined }[] }
    | { kind: 'SHELL'; shell: string[] }
  );

export type InstructionOf<K extends Instruction['kind']> = Extract<Instruction, { kind: K }>;

export const INSTRUCTION_NAMES = [
  'ADD', 'ARG', 'CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'FROM', 'HEALTHCHECK', 'LABEL',
  'MAINTAINER', 'ONBUILD', 'RUN', 'SHELL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR',
] as const;

const STAGE_NAME = /^[a-z][a-z0-9-_.]*$/;

export function parseInstruction(raw: RawInstruction, escapeChar: string): Instruction {
  const { line, original, rest } = raw;
  const base = { line, original };
  const fail = (message: string): never => {
    throw new BuildError(line, message);
  };
  if (raw.heredocLines.length > 0) {
    fail(`${raw.keyword} with a heredoc (<<EOF) is BuildKit syntax that Docker's classic builder, and berth's builder so far, cannot run; put the script in a file and COPY it, or join the commands with &&`);
  }
  switch (raw.keyword) {
    case 'FROM': {
      const flags = parseFlags(raw, { platform: 'string' });
      const args = splitWhitespace(rest);
      let stageName = '';
      if (args.length === 3 && args[1].toLowerCase() === 'as') {
        stageName = args[2].toLowerCase();
        if (!STAGE_NAME.test(stageName)) fail(`invalid name for build stage: ${JSON.stringify(args[2])}, name can't start with a number or contain symbols`);
      } else if (args.length !== 1) fail('FROM requires either one or three arguments (FROM image [AS name])');
      return { ...base, kind: 'FROM', baseName: args[0], stageName, platform: flags.platform ?? '' };
    }
    case 'ENV':
    case 'LABEL':
      parseFlags(raw, {});
      return { ...base, kind: raw.keyword, pairs: parseNameValues(rest, raw.keyword, escapeChar, line) };
    case 'MAINTAINER':
      parseFlags(raw, {});
      if (rest === '') fail('MAINTAINER requires exactly one argument');
      return { ...base, kind: 'MAINTAINER', maintainer: rest };
    case 'COPY':
    case 'ADD': {
      const flags = parseFlags(raw, raw.keyword === 'COPY' ? { chown: 'string', chmod: 'string', from: 'string' } : { chown: 'string', chmod: 'string' });
      const { args } = parseMaybeJsonToList(rest, line);
      if (args.length < 2) fail(`${raw.keyword} requires at least two arguments, but only one was provided. Destination could not be determined`);
      return { ...base, kind: raw.keyword, sources: args.slice(0, -1), dest: args[args.length - 1], chown: flags.chown ?? '', chmod: flags.chmod ?? '', from: flags.from ?? '' };
    }
    case 'ONBUILD': {
      parseFlags(raw, {});
      if (rest === '') fail('ONBUILD requires at least one argument');
      const trigger = rest.trim().split(/\s+/)[0].toUpperCase();
      if (trigger === 'ONBUILD') fail("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
      if (trigger === 'MAINTAINER' || trigger === 'FROM') fail(`${trigger} isn't allowed as an ONBUILD trigger`);
      return { ...base, kind: 'ONBUILD', expression: original.replace(/^\s*ONBUILD\s*/i, ''), trigger };
    }
    case 'WORKDIR':
    case 'USER':
    case 'STOPSIGNAL': {
      parseFlags(raw, {});
      if (rest === '') fail(`${raw.keyword} requires exactly one argument`);
      if (raw.keyword === 'WORKDIR') return { ...base, kind: 'WORKDIR', path: rest };
      if (raw.keyword === 'USER') return { ...base, kind: 'USER', user: rest };
      return { ...base, kind: 'STOPSIGNAL', signal: rest };
    }
    case 'RUN':
    case 'CMD':
    case 'ENTRYPOINT': {
      parseFlags(raw, {});
      const { json, args } = parseMaybeJson(rest, line);
      return { ...base, kind: raw.keyword, cmdLine: args, prependShell: !json };
    }
    case 'SHELL': {
      parseFlags(raw, {});
      const { json, args } = parseMaybeJson(rest, line);
      if (args.length === 0) fail('SHELL requires at least one argument');
      if (!json) fail(`SHELL requires the arguments to be in JSON form, e.g. SHELL ["/bin/sh", "-c"]`);
      return { ...base, kind: 'SHELL', shell: args };
    }
    case 'HEALTHCHECK':
      return { ...base, kind: 'HEALTHCHECK', health: parseHealthcheck(raw) };
    case 'EXPOSE': {
      parseFlags(raw, {});
      const ports = splitWhitespace(rest);
      if (ports.length === 0) fail('EXPOSE requires at least one argument');
      // Docker sorts the words as written (before substitution), which is what history shows.
      return { ...base, kind: 'EXPOSE', ports: [...ports].sort(goStringCompare) };
    }
    case 'VOLUME': {
      parseFlags(raw, {});
      const { args } = parseMaybeJsonToList(rest, line);
      if (args.length === 0) fail('VOLUME requires at least one argument');
      const volumes = args.map((v) => v.trim());
      if (volumes.includes('')) fail('VOLUME specified can not be an empty string');
      return { ...base, kind: 'VOLUME', volumes };
    }
    case 'ARG': {
      parseFlags(raw, {});
      const words = parseWords(rest, escapeChar);
      if (words.length === 0) fail('ARG requires at least one argument');
      const args = words.map((word) => {
        const eq = word.indexOf('=');
        if (eq === 0) fail('ARG names can not be blank');
        return eq < 0 ? { key: word, value: undefined } : { key: word.slice(0, eq), value: word.slice(eq + 1) };
      });
      return { ...base, kind: 'ARG', args };
    }
    default:
      return fail(`unknown instruction: ${raw.keyword} (the instructions are ${INSTRUCTION_NAMES.join(', ')})`);
  }
}

function parseHealthcheck(raw: RawInstruction): HealthcheckSpec | 'NONE' {
  const fail = (message: string): never => {
    throw new BuildError(raw.line, message);
  };
  const rest = raw.rest;
  const sep = rest.search(/\s/);
  const type = (sep < 0 ? rest : rest.slice(0, sep)).toUpperCase();
  const after = sep < 0 ? '' : rest.slice(sep).replace(/^\s+/, '');
  if (type === '') fail('HEALTHCHECK requires at least one argument');
  if (type === 'NONE') {
    parseFlags(raw, {});
    if (after !== '') fail('HEALTHCHECK NONE takes no arguments');
    return 'NONE';
  }
  const flags = parseFlags(raw, { interval: 'string', timeout: 'string', 'start-period': 'string', retries: 'string' });
  if (type !== 'CMD') fail(`Unknown type ${JSON.stringify(type)} in HEALTHCHECK (try CMD)`);
  const { json, args } = parseMaybeJson(after, raw.line);
  if (args.length === 0) fail('Missing command after HEALTHCHECK CMD');
  const duration = (name: string): number => {
    const text = flags[name] ?? '';
    if (text === '') return 0;
    const ns = parseGoDuration(text);
    if (ns === undefined) fail(`HEALTHCHECK --${name}: invalid duration ${JSON.stringify(text)} (write e.g. 30s, 1m30s, 500ms)`);
    if (ns! < 1_000_000) fail(`Interval "${name}" cannot be less than 1ms`);
    return ns!;
  };
  let retries = 0;
  if ((flags.retries ?? '') !== '') {
    if (!/^[+-]?\d+$/.test(flags.retries!)) fail(`HEALTHCHECK --retries: ${JSON.stringify(flags.retries)} is not a whole number`);
    retries = Number(flags.retries);
    if (retries < 1) fail(`--retries must be at least 1 (not ${retries})`);
  }
  return {
    test: [json ? 'CMD' : 'CMD-SHELL', ...args],
    interval: duration('interval'),
    timeout: duration('timeout'),
    startPeriod: duration('start-period'),
    retries,
  };
}

type FlagSpec = Record<string, 'string' | 'bool'>;

/** moby's BFlags.Parse: only `--name=value` (or `--name` for booleans), each at most once. */
function parseFlags(raw: RawInstruction, spec: FlagSpec): Record<string, string> {
  const values: Record<string, string> = {};
  for (const flag of raw.flags) {
    const fail = (message: string): never => {
      throw new BuildError(raw.line, `${raw.keyword}: ${message}`);
    };
    if (!flag.startsWith('--')) fail(`Arg ${JSON.stringify(flag)} must start with '--'`);
    if (flag === '--') break;
    const body = flag.slice(2);
    const eq = body.indexOf('=');
    const name = eq < 0 ? body : body.slice(0, eq);
    const value = eq < 0 ? '' : body.slice(eq + 1);
    const known = Object.keys(spec);
    if (!(name in spec)) fail(`Unknown flag: ${name}${known.length ? ` (${raw.keyword} accepts ${known.map((k) => `--${k}`).join(', ')})` : ` (${raw.keyword} takes no flags)`}`);
    if (name in values) fail(`Duplicate flag specified: ${name}`);
    if (spec[name] === 'string') {
      if (eq < 0) fail(`Missing a value on flag: ${name} (write --${name}=VALUE)`);
      values[name] = value;
    } else {
      if (eq >= 0 && value === '') fail(`Missing a value on flag: ${name}`);
      const lower = value.toLowerCase();
      if (lower !== '' && lower !== 'true' && lower !== 'false') fail(`Expecting boolean value for flag ${name}, not: ${value}`);
      values[name] = lower === '' ? 'true' : lower;
    }
  }
  return values;
}

/** Go's sort.Strings order: by UTF-8 bytes, which for these strings is by UTF-16 code units. */
export function goStringCompare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
