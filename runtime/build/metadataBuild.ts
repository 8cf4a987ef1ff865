// Walks a plan the way the executor will: stage by stage (only the stages the target needs),
// the base image's ONBUILD triggers first, then each instruction through StageConfigBuilder.
// Everything that touches a filesystem is delegated to `hooks`, so this is the executor's
// skeleton without containers: tests use it to predict what dockerd writes, and the executor
// supplies hooks that run containers and commit layers.
import { BuildError } from './buildError';
import type { BuildPlan } from './buildPlan';
import { parseDockerfileText } from './dockerfileSyntax';
import { StageConfigBuilder, type BaseImage, type FilesystemStep } from './imageConfigBuilder';
import { parseInstruction, type Instruction } from './instructions';
import type { ContainerConfig, HistoryEntry } from '../store/imageConfig';

export interface StageImage {
  config: ContainerConfig;
  /** The author of the stage's last MAINTAINER ('' when none; the base's author is not kept). */
  author: string;
  /** The base image's history followed by this stage's entries. */
  history: HistoryEntry[];
}

export interface MetadataBuildHooks {
  /** The config and history of an image named by FROM (not scratch, not a stage). */
  baseImage(ref: string): Promise<BaseImage & { history?: HistoryEntry[] }>;
  /**
   * Runs (or predicts) a step that may change files; returns whether it left the layer empty
   * and, for COPY/ADD, the sources' hash (copySources).
   */
  filesystemStep(stage: number, step: FilesystemStep): Promise<{ emptyLayer: boolean; sourceHash?: string }>;
}

export async function buildMetadata(plan: BuildPlan, hooks: MetadataBuildHooks): Promise<Map<number, StageImage>> {
  const results = new Map<number, StageImage>();
  for (const index of plan.needed) {
    const stage = plan.stages[index];
    let base: (BaseImage & { history?: HistoryEntry[] }) | undefined;
    if (stage.base.kind === 'stage') {
      const built = results.get(stage.base.index)!;
      base = { config: built.config, history: built.history };
    } else if (stage.base.kind === 'image') base = await hooks.baseImage(stage.base.ref);
    const builder = new StageConfigBuilder(base, plan.globalArgs.forStage(), plan.escapeChar);
    const triggers = builder.triggers.map((text) => parseTrigger(text, stage.from.line));
    for (const instruction of [...triggers, ...stage.instructions]) {
      const outcome = builder.apply(instruction);
      if (outcome.kind === 'metadata') continue;
      const step = outcome.step;
      const result = await hooks.filesystemStep(index, step);
      if (step.kind === 'RUN' || step.kind === 'WORKDIR') builder.commit(step.createdBy, result.emptyLayer);
      else {
        if (result.sourceHash === undefined) throw new BuildError(step.line, `${step.kind}: the executor returned no source hash`);
        builder.commit(builder.copyCreatedBy(step, result.sourceHash), result.emptyLayer);
      }
    }
    results.set(index, { config: builder.config, author: builder.author ?? '', history: [...(base?.history ?? []), ...builder.history] });
  }
  return results;
}

/** An ONBUILD trigger is parsed as a one-line Dockerfile (default escape) and reported at the FROM line. */
export function parseTrigger(text: string, fromLine: number): Instruction {
  try {
    const parsed = parseDockerfileText(text);
    if (parsed.instructions.length !== 1) throw new BuildError(fromLine, 'onbuild trigger should be a single expression');
    const instruction = parseInstruction(parsed.instructions[0], '\\');
    if (instruction.kind === 'FROM') throw new BuildError(fromLine, "FROM isn't allowed as an ONBUILD trigger");
    return { ...instruction, line: fromLine };
  } catch (error) {
    if (error instanceof BuildError && error.line !== fromLine) throw new BuildError(fromLine, `ONBUILD trigger ${JSON.stringify(text)} from the base image: ${error.message.replace(/^Dockerfile line \d+: /, '')}`);
    throw error;
  }
}
