// One stage's image config, step by step, as the classic builder (dockerd 20.10,
// builder/dockerfile/dispatchers.go) changes it: substitution first (every word of the step sees
// the ENV and ARG values from before the step), then the instruction's effect on the config,
// then a history entry. Metadata steps finish here (empty_layer). RUN, COPY, ADD and WORKDIR
// return what the executor must do; it calls `commit` with whether the step changed the
// filesystem, because only the executor knows that (a RUN that writes nothing, or a WORKDIR
// that already exists, gets `empty_layer: true` from Docker too).
import type { BuildArgs } from './buildArgs';
import { BuildError } from './buildError';
import { historyEntry, parseExposedPorts, validateStopSignal } from './configRules';
import { nopHistory, nopStringHistory, goQuoteSlice, goSlice, healthcheckComment, runHistory, shellOf } from './historyText';
import type { Instruction, InstructionOf } from './instructions';
import { envFromList, processWord, processWords, SubstitutionError } from './substitution';
import type { ContainerConfig, HealthConfig, HistoryEntry } from '../store/imageConfig';

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The part of a base image a stage starts from; undefined for scratch. */
export interface BaseImage {
  config?: ContainerConfig;
}

/** What the executor must do for a step that may change the filesystem. */
export type FilesystemStep =
  | { kind: 'RUN'; line: number; argv: string[]; env: string[]; user: string; workingDir: string; createdBy: string }
  | { kind: 'COPY' | 'ADD'; line: number; sources: string[]; dest: string; chown: string; from: string; workingDir: string; user: string }
  | { kind: 'WORKDIR'; line: number; path: string; user: string; createdBy: string };

export type StepOutcome = { kind: 'metadata'; history: HistoryEntry } | { kind: 'filesystem'; step: FilesystemStep };

export class StageConfigBuilder {
  readonly config: ContainerConfig;
  /** MAINTAINER of this stage (not inherited from the base image). */
  author: string | undefined;
  readonly history: HistoryEntry[] = [];
  /** Triggers of the base image's ONBUILD, to run before the stage's own instructions. */
  readonly triggers: string[];
  private cmdSet = false;

  constructor(base: BaseImage | undefined, readonly args: BuildArgs, readonly escapeChar: string) {
    this.config = structuredClone(base?.config ?? {});
    const env = this.config.Env ?? [];
    // Docker adds the default PATH to every stage whose base has none, FROM scratch included.
    if (!env.some((e) => e.split('=')[0] === 'PATH')) this.config.Env = [...env, `PATH=${DEFAULT_PATH}`];
    this.triggers = this.config.OnBuild ?? [];
    delete this.config.OnBuild;
  }

  /** Applies one instruction (not FROM). */
  apply(instruction: Instruction): StepOutcome {
    if (instruction.kind === 'FROM') throw new BuildError(instruction.line, 'FROM starts a new stage; plan stages with planBuild');
    const env = this.substitutionEnv();
    const word = (text: string): string => this.expand(text, env, instruction.line);
    const c = this.config;
    switch (instruction.kind) {
      case 'ENV': {
        const pairs = instruction.pairs.map(([k, v]) => [word(k), word(v)] as const);
        const list = [...(c.Env ?? [])];
        for (const [key, value] of pairs) {
          const at = list.findIndex((e) => e.split('=')[0] === key);
          if (at >= 0) list[at] = `${key}=${value}`;
          else list.push(`${key}=${value}`);
        }
        c.Env = list;
        return this.meta(`ENV ${pairs.map(([k, v]) => `${k}=${v}`).join(' ')}`);
      }
      case 'LABEL': {
        const pairs = instruction.noSubstitution ? instruction.pairs : instruction.pairs.map(([k, v]) => [word(k), word(v)] as const);
        c.Labels = { ...(c.Labels ?? {}) };
        for (const [key, value] of pairs) {
          if (key === '') throw new BuildError(instruction.line, 'LABEL names can not be blank');
          c.Labels[key] = value;
        }
        return this.meta(`LABEL ${pairs.map(([k, v]) => `${k}=${v}`).join(' ')}`);
      }
      case 'MAINTAINER':
        this.author = instruction.maintainer;
        return this.meta(`MAINTAINER ${instruction.maintainer}`);
      case 'ARG': {
        const texts: string[] = [];
        for (const arg of instruction.args) {
          const key = word(arg.key);
          const value = arg.value === undefined ? undefined : word(arg.value);
          this.args.addArg(key, value);
          texts.push(value === undefined ? key : `${key}=${value}`);
        }
        return this.meta(`ARG ${texts.join(' ')}`);
      }
      case 'ONBUILD':
        c.OnBuild = [...(c.OnBuild ?? []), instruction.expression];
        return this.meta(`ONBUILD ${instruction.expression}`);
      case 'CMD': {
        const cmd = this.resolveCommand(instruction);
        c.Cmd = cmd;
        if (instruction.cmdLine.length > 0) this.cmdSet = true;
        return this.meta(`CMD ${goQuoteSlice(cmd)}`);
      }
      case 'ENTRYPOINT': {
        const entrypoint = instruction.cmdLine.length === 0 ? undefined : this.resolveCommand(instruction);
        if (entrypoint === undefined) delete c.Entrypoint;
        else c.Entrypoint = entrypoint;
        // A new ENTRYPOINT drops an inherited CMD, unless this stage set CMD itself.
        if (!this.cmdSet) delete c.Cmd;
        return this.meta(`ENTRYPOINT ${goQuoteSlice(entrypoint)}`);
      }
      case 'HEALTHCHECK': {
        const h = instruction.health;
        const previous = c.Healthcheck;
        const next: HealthConfig = h === 'NONE' ? { Test: ['NONE'] } : { Test: h.test };
        if (h !== 'NONE') {
          if (h.interval) next.Interval = h.interval;
          if (h.timeout) next.Timeout = h.timeout;
          if (h.startPeriod) next.StartPeriod = h.startPeriod;
          if (h.retries) next.Retries = h.retries;
        }
        // dockerd 20.10 shares the HealthConfig between the step's container config and the
        // build state, and creating the step's container merges the parent image's healthcheck
        // into it: options left out (and all of them for NONE) inherit the previous values.
        // The history text is formatted before that merge, so it shows the unmerged options.
        if (previous) {
          for (const key of ['Interval', 'Timeout', 'StartPeriod', 'Retries'] as const) {
            if (!next[key] && previous[key]) next[key] = previous[key];
          }
        }
        c.Healthcheck = next;
        return this.meta(healthcheckComment(h));
      }
      case 'EXPOSE': {
        const ports = instruction.ports.flatMap((p) => this.expandWords(p, env, instruction.line));
        const keys = parseExposedPorts(ports, instruction.line);
        c.ExposedPorts = { ...(c.ExposedPorts ?? {}) };
        for (const key of keys) c.ExposedPorts[key] = {};
        return this.meta(`EXPOSE ${ports.join(' ')}`);
      }
      case 'USER':
        c.User = word(instruction.user);
        return this.meta(`USER ${c.User}`);
      case 'VOLUME': {
        const volumes = instruction.volumes.map(word);
        if (volumes.includes('')) throw new BuildError(instruction.line, 'VOLUME specified can not be an empty string');
        c.Volumes = { ...(c.Volumes ?? {}) };
        for (const v of volumes) c.Volumes[v] = {};
        return this.meta(`VOLUME ${goSlice(volumes)}`);
      }
      case 'STOPSIGNAL': {
        const signal = word(instruction.signal);
        validateStopSignal(signal, instruction.line);
        c.StopSignal = signal;
        return this.meta(`STOPSIGNAL ${signal}`);
      }
      case 'SHELL':
        c.Shell = [...instruction.shell];
        return this.meta(`SHELL ${goSlice(instruction.shell)}`);
      case 'WORKDIR': {
        const requested = word(instruction.path);
        if (requested === '') throw new BuildError(instruction.line, 'WORKDIR is empty after substitution; give it a path');
        c.WorkingDir = normalizeWorkdir(c.WorkingDir ?? '', requested);
        return { kind: 'filesystem', step: { kind: 'WORKDIR', line: instruction.line, path: c.WorkingDir, user: c.User ?? '', createdBy: nopStringHistory(c.Shell, `WORKDIR ${c.WorkingDir}`) } };
      }
      case 'RUN': {
        const argv = this.resolveCommand(instruction);
        const visible = this.args.filterAllowed(c.Env ?? []);
        const saved = runHistory(argv, visible, (k) => this.args.isReferencedOrNotBuiltin(k));
        return { kind: 'filesystem', step: { kind: 'RUN', line: instruction.line, argv, env: [...(c.Env ?? []), ...visible], user: c.User ?? '', workingDir: c.WorkingDir ?? '', createdBy: saved.join(' ') } };
      }
      case 'COPY':
      case 'ADD': {
        if (instruction.chmod !== '') throw new BuildError(instruction.line, `the --chmod option requires BuildKit (Docker's classic builder rejects it); set the mode with a RUN chmod after the ${instruction.kind}`);
        const sources = instruction.sources.map(word);
        return {
          kind: 'filesystem',
          step: { kind: instruction.kind, line: instruction.line, sources, dest: word(instruction.dest), chown: word(instruction.chown), from: instruction.from, workingDir: c.WorkingDir ?? '', user: c.User ?? '' },
        };
      }
    }
  }

  /** `created_by` of a COPY/ADD once the executor knows the sources' hash (copySources). */
  copyCreatedBy(step: Extract<FilesystemStep, { kind: 'COPY' | 'ADD' }>, sourceHash: string): string {
    const chown = step.chown !== '' ? `--chown=${step.chown}` : '';
    return nopStringHistory(this.config.Shell, `${step.kind} ${chown}${sourceHash} in ${step.dest} `);
  }

  /** Records a filesystem step's history once the executor ran it. */
  commit(createdBy: string, emptyLayer: boolean): HistoryEntry {
    const entry = historyEntry(createdBy, this.author, emptyLayer);
    this.history.push(entry);
    return entry;
  }

  /** What `$VAR` sees at this point: ENV, then the allowed build args ENV does not override. */
  substitutionEnv(): Map<string, string> {
    const env = this.config.Env ?? [];
    return envFromList([...env, ...this.args.filterAllowed(env)]);
  }

  private meta(comment: string): StepOutcome {
    const entry = historyEntry(nopHistory(this.config.Shell, comment), this.author, true);
    this.history.push(entry);
    return { kind: 'metadata', history: entry };
  }

  private resolveCommand(instruction: InstructionOf<'RUN' | 'CMD' | 'ENTRYPOINT'>): string[] {
    if (!instruction.prependShell) return [...instruction.cmdLine];
    return [...shellOf(this.config.Shell), ...instruction.cmdLine];
  }

  private expand(text: string, env: ReadonlyMap<string, string>, line: number): string {
    try {
      return processWord(text, env, this.escapeChar);
    } catch (error) {
      if (error instanceof SubstitutionError) throw new BuildError(line, error.message);
      throw error;
    }
  }

  private expandWords(text: string, env: ReadonlyMap<string, string>, line: number): string[] {
    try {
      return processWords(text, env, this.escapeChar);
    } catch (error) {
      if (error instanceof SubstitutionError) throw new BuildError(line, error.message);
      throw error;
    }
  }
}

/** Relative paths join onto the current directory (cleaned); absolute ones are kept as written. */
export function normalizeWorkdir(current: string, requested: string): string {
  if (requested.startsWith('/')) return requested;
  const joined = `/${current}/${requested}`.split('/');
  const out: string[] = [];
  for (const part of joined) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return `/${out.join('/')}`;
}
