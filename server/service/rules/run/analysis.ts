// The shared view the RUN rules work on: build stages, each RUN split into shell segments,
// and the programs each RUN invokes. Computed once per parsed Dockerfile (the rules all ask
// for it) and memoised on the Dockerfile object, which is immutable once parsed.
import { From, Run, Shell } from 'dockerfile-ast';
import type { Dockerfile, Instruction } from 'dockerfile-ast';
import type { RuleContext } from '../rule';
import { analyseRun, basename, execArguments, TextIndex } from '../../shell';
import type { RunScript, ShellSegment, SimpleCommand } from '../../shell';
import { resolveInvocation } from './command';
import type { Invocation } from './command';

export interface RunCommand {
  readonly invocation: Invocation;
  readonly segment: ShellSegment;
}

/** The SHELL a shell-form RUN runs in. */
export interface ShellState {
  /** False for PowerShell and cmd: shell-form RUNs are then not analysed at all. */
  readonly posix: boolean;
  /** The SHELL sets `-o pipefail`. */
  readonly pipefail: boolean;
}

export interface RunInfo {
  readonly run: Run;
  readonly script: RunScript;
  readonly shell: ShellState;
  /** Every program the RUN invokes, in order. */
  readonly commands: readonly RunCommand[];
  readonly stage: Stage;
}

export interface Stage {
  readonly from: From | null;
  /** The instructions of the stage, FROM included. */
  readonly instructions: readonly Instruction[];
  readonly runs: readonly RunInfo[];
  /** The earlier stage this one is built FROM, whose SHELL and ENV it inherits. */
  readonly parent: Stage | null;
  /** Whether the stage's filesystem ends up in the final image (not just `COPY --from`). */
  readonly inFinalImage: boolean;
}

export interface Analysis {
  readonly index: TextIndex;
  readonly escapeChar: string;
  /** The document's line break, for edits that add lines. */
  readonly eol: string;
  readonly stages: readonly Stage[];
  readonly runs: readonly RunInfo[];
}

interface MutableStage {
  from: From | null;
  instructions: Instruction[];
  runs: RunInfo[];
  parent: Stage | null;
  inFinalImage: boolean;
  shell: ShellState;
}

const DEFAULT_SHELL: ShellState = { posix: true, pipefail: false };
const NON_POSIX = /^(powershell|pwsh|cmd)(\.exe)?$/i;

/** `-o pipefail`, also inside a cluster such as `-euo pipefail`. */
export function setsPipefail(args: readonly string[]): boolean {
  return args.some((a, k) => /^-[A-Za-z]*o$/.test(a) && args[k + 1] === 'pipefail');
}

const cache = new WeakMap<Dockerfile, Analysis>();

export function analyse(ctx: RuleContext): Analysis {
  const cached = cache.get(ctx.dockerfile);
  if (cached) return cached;
  const index = new TextIndex(ctx.content);
  const escapeChar = ctx.dockerfile.getEscapeCharacter();
  const stages: MutableStage[] = [];
  const byName = new Map<string, MutableStage>();
  let current: MutableStage | null = null;
  const runs: RunInfo[] = [];
  for (const instruction of ctx.dockerfile.getInstructions()) {
    if (instruction instanceof From || current === null) {
      const from = instruction instanceof From ? instruction : null;
      const base = from?.getImageName()?.toLowerCase();
      const parent = (base && byName.get(base)) || null;
      // A stage built FROM another inherits the SHELL that stage ended with.
      current = { from, instructions: [], runs: [], parent, inFinalImage: false, shell: parent?.shell ?? DEFAULT_SHELL };
      stages.push(current);
      const alias = from?.getBuildStage();
      if (alias) byName.set(alias.toLowerCase(), current);
    }
    current.instructions.push(instruction);
    if (instruction instanceof Shell) {
      const argv = execArguments(instruction, index, escapeChar);
      if (argv && argv.length > 0) {
        current.shell = { posix: !NON_POSIX.test(basename(argv[0].replace(/\\/g, '/'))), pipefail: setsPipefail(argv) };
      }
    }
    if (instruction instanceof Run) {
      const shell = current.shell;
      const parsed = analyseRun(instruction, index, escapeChar);
      // Shell form under PowerShell/cmd is not POSIX shell: better say nothing than guess.
      const script: RunScript = parsed.form === 'shell' && !shell.posix ? { form: 'shell', segments: [] } : parsed;
      const info: RunInfo = { run: instruction, script, shell, commands: commandsOf(script), stage: current };
      current.runs.push(info);
      runs.push(info);
    }
  }
  // The last stage is the image; a stage is in it too when a stage in it is built FROM it.
  for (let k = stages.length - 1; k >= 0; k--) {
    if (k === stages.length - 1) stages[k].inFinalImage = true;
    const parent = stages[k].parent as MutableStage | null;
    if (stages[k].inFinalImage && parent) parent.inFinalImage = true;
  }
  const eol = /\r\n/.test(ctx.content) ? '\r\n' : '\n';
  const analysis: Analysis = { index, escapeChar, eol, stages, runs };
  cache.set(ctx.dockerfile, analysis);
  return analysis;
}

function commandsOf(script: RunScript): RunCommand[] {
  const out: RunCommand[] = [];
  for (const segment of script.segments) {
    for (const command of segment.script.commands) {
      const invocation = resolveInvocation(command);
      if (invocation) out.push({ invocation, segment });
    }
  }
  return out;
}

/** All simple commands of a RUN, in order (including ones that resolve to no program). */
export function simpleCommands(info: RunInfo): SimpleCommand[] {
  return info.script.segments.flatMap((s) => [...s.script.commands]);
}

/** Targets of `--mount=type=cache|tmpfs` flags: directories whose content never lands in the layer. */
export function uncommittedMounts(run: Run): string[] {
  const targets: string[] = [];
  for (const flag of run.getFlags()) {
    if (flag.getName() !== 'mount') continue;
    const type = flag.getOption('type')?.getValue();
    if (type !== 'cache' && type !== 'tmpfs') continue;
    const target = (flag.getOption('target') ?? flag.getOption('dst') ?? flag.getOption('destination'))?.getValue();
    if (target) targets.push(target.replace(/\/+$/, ''));
  }
  return targets;
}

/** The instructions of a stage preceded by those of the stages it inherits from. */
export function inheritedInstructions(stage: Stage): Instruction[] {
  const chain: Stage[] = [];
  for (let s: Stage | null = stage; s && !chain.includes(s); s = s.parent) chain.unshift(s);
  return chain.flatMap((s) => [...s.instructions]);
}
