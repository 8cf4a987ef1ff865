// Dockerfile text + build options → the plan: the global (meta) ARGs, the stages with their
// instructions and lines, what each stage starts from, and which stages the target needs.
//
// Docker's classic builder builds every stage up to the target, in order; BuildKit (and this
// plan's `needed`) builds only the stages the target depends on through FROM and COPY --from.
// The executor builds `needed` in index order; the image config of the target is the same.
import { BuildArgs } from './buildArgs';
import { BuildError } from './buildError';
import { parseDockerfileText } from './dockerfileSyntax';
import { parseInstruction, type Instruction, type InstructionOf } from './instructions';
import { processWord, SubstitutionError } from './substitution';

export interface BuildOptions {
  /** --build-arg NAME=VALUE; a NAME given without a value is undefined and has no effect. */
  buildArgs?: ReadonlyMap<string, string | undefined>;
  /** --target: a stage name (case-insensitive, as Docker compares it). */
  target?: string;
  /** --label: added to the target stage as LABEL steps, sorted by key, never substituted. */
  labels?: Readonly<Record<string, string>>;
}

/** What a stage starts from. */
export type StageBase =
  | { kind: 'scratch' }
  | { kind: 'stage'; index: number }
  | { kind: 'image'; ref: string };

export interface Stage {
  index: number;
  /** Lower-case `AS` name, or '' . */
  name: string;
  from: InstructionOf<'FROM'>;
  /** The FROM image after meta-ARG substitution. */
  baseName: string;
  base: StageBase;
  instructions: Instruction[];
  /** Stages this one reads through COPY --from (by index). */
  copyFrom: number[];
}

export interface BuildPlan {
  escapeChar: string;
  metaArgs: InstructionOf<'ARG'>[];
  /** The build args after the meta ARGs ran; give each stage `globalArgs.forStage()`. */
  globalArgs: BuildArgs;
  /** Stages up to and including the target. */
  stages: Stage[];
  target: number;
  /** Indexes of the stages the target needs, ascending (always includes the target). */
  needed: number[];
  /** Docker's step count for `Step N/M` when every stage up to the target is built. */
  totalSteps: number;
}

/** `--build-arg` strings (`K=V` or `K`) to the map BuildOptions takes; `K` alone means "no value". */
export function parseBuildArgFlags(values: readonly string[]): Map<string, string | undefined> {
  const out = new Map<string, string | undefined>();
  for (const value of values) {
    const eq = value.indexOf('=');
    if (eq === 0) throw new BuildError(0, `--build-arg ${JSON.stringify(value)} has no name; write --build-arg NAME=VALUE`);
    if (eq < 0) out.set(value, undefined);
    else out.set(value.slice(0, eq), value.slice(eq + 1));
  }
  return out;
}

export function planBuild(dockerfile: string, options: BuildOptions = {}): BuildPlan {
  const { escapeChar, instructions: raws } = parseDockerfileText(dockerfile);
  const metaArgs: InstructionOf<'ARG'>[] = [];
  const stages: Stage[] = [];
  for (const raw of raws) {
    const instruction = parseInstruction(raw, escapeChar);
    if (instruction.kind === 'FROM') {
      stages.push({ index: stages.length, name: instruction.stageName, from: instruction, baseName: '', base: { kind: 'scratch' }, instructions: [], copyFrom: [] });
    } else if (stages.length === 0) {
      if (instruction.kind !== 'ARG') throw new BuildError(raw.line, `${raw.keyword} before the first FROM: only ARG may come before FROM; add a FROM line (e.g. FROM scratch) above it`);
      metaArgs.push(instruction);
    } else stages[stages.length - 1].instructions.push(instruction);
  }
  if (stages.length === 0) throw new BuildError(0, 'the Dockerfile has no FROM instruction; a build starts with FROM <image> (or FROM scratch)');

  let targetCount = stages.length;
  if (options.target !== undefined && options.target !== '') {
    const ix = stages.findIndex((s) => s.name !== '' && s.name.toLowerCase() === options.target!.toLowerCase());
    if (ix < 0) {
      const names = stages.map((s) => s.name).filter((n) => n !== '');
      throw new BuildError(0, `failed to reach build target ${options.target} in Dockerfile (${names.length ? `stages named: ${names.join(', ')}` : 'no stage has an AS name'})`);
    }
    targetCount = ix + 1;
  }
  const planned = stages.slice(0, targetCount);
  const target = planned.length - 1;
  for (const [key, value] of Object.entries(options.labels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    planned[target].instructions.push({ kind: 'LABEL', line: 0, original: `LABEL ${key}=${value}`, pairs: [[key, value]], noSubstitution: true });
  }

  const globalArgs = new BuildArgs(options.buildArgs ?? new Map());
  for (const meta of metaArgs) {
    for (const arg of meta.args) {
      const env = globalArgs.allAllowed();
      const key = substitute(arg.key, env, escapeChar, meta.line);
      const value = arg.value === undefined ? undefined : substitute(arg.value, env, escapeChar, meta.line);
      globalArgs.addMetaArg(key, value);
    }
  }

  const seen = new Map<string, number>();
  for (const stage of planned) {
    if (stage.name !== '') {
      if (seen.has(stage.name)) throw new BuildError(stage.from.line, `duplicate name ${stage.name}: stage names must be unique (the first is on line ${planned[seen.get(stage.name)!].from.line})`);
      seen.set(stage.name, stage.index);
    }
    stage.baseName = substitute(stage.from.baseName, globalArgs.allMeta(), escapeChar, stage.from.line);
    if (stage.baseName === '') throw new BuildError(stage.from.line, `FROM ${stage.from.baseName} is empty after substitution; give the ARG a default or pass --build-arg`);
    const earlier = findStage(planned, stage.index, stage.baseName);
    stage.base = earlier !== undefined ? { kind: 'stage', index: earlier } : stage.baseName === 'scratch' ? { kind: 'scratch' } : { kind: 'image', ref: stage.baseName };
    for (const instruction of stage.instructions) {
      if (instruction.kind !== 'COPY' || instruction.from === '') continue;
      const ref = copyFromStage(planned, stage.index, instruction.from, instruction.line);
      if (ref !== undefined && !stage.copyFrom.includes(ref)) stage.copyFrom.push(ref);
    }
  }

  const needed = new Set<number>();
  const visit = (ix: number): void => {
    if (needed.has(ix)) return;
    needed.add(ix);
    const stage = planned[ix];
    if (stage.base.kind === 'stage') visit(stage.base.index);
    for (const dep of stage.copyFrom) visit(dep);
  };
  visit(target);

  const totalSteps = metaArgs.length + planned.reduce((n, s) => n + 1 + s.instructions.length, 0);
  return { escapeChar, metaArgs, globalArgs, stages: planned, target, needed: [...needed].sort((a, b) => a - b), totalSteps };
}

function substitute(word: string, env: ReadonlyMap<string, string>, escapeChar: string, line: number): string {
  try {
    return processWord(word, env, escapeChar);
  } catch (error) {
    if (error instanceof SubstitutionError) throw new BuildError(line, error.message);
    throw error;
  }
}

/** FROM <name>: an earlier stage by its AS name (Docker does not accept an index here). */
function findStage(stages: Stage[], before: number, name: string): number | undefined {
  for (let i = 0; i < before; i++) if (stages[i].name !== '' && stages[i].name === name) return i;
  return undefined;
}

/**
 * COPY --from=<name|index|image>: an earlier stage by name, else a number is a stage index
 * (which must be an earlier stage), else it is an image reference (undefined here).
 */
export function copyFromStage(stages: Stage[], current: number, from: string, line: number): number | undefined {
  const byName = findStage(stages, current, from);
  if (byName !== undefined) return byName;
  if (/^[+-]?\d+$/.test(from)) {
    const ix = Number(from);
    if (ix < 0 || ix >= current) throw new BuildError(line, `invalid stage index ${ix}: COPY --from can only name a stage defined above this one (0 to ${current - 1})`);
    return ix;
  }
  return undefined;
}
