// BH009 / BH010: `COPY --from=X` must name an earlier stage (by name or index), an image, or a
// named build context. A later stage, the current stage, or a misspelt name breaks the build.
import type { Range } from 'vscode-languageserver-types';
import type { Finding, Rule, RuleContext } from '../rule';
import { editDistance, flagsOf, keywordOf, stagesOf, type Stage } from './support';

type Target =
  | { kind: 'ok' }
  | { kind: 'self' }
  | { kind: 'later'; stage: Stage }
  | { kind: 'unknown'; why: string };

interface CopyFrom {
  readonly value: string;
  readonly range: Range;
  readonly target: Target;
}

function classify(value: string, stages: readonly Stage[], current: number): Target {
  if (/^\d+$/.test(value)) {
    const index = Number(value);
    if (index < current) return { kind: 'ok' };
    if (index === current) return { kind: 'self' };
    if (index < stages.length) return { kind: 'later', stage: stages[index] };
    return { kind: 'unknown', why: `there is no stage with index ${index} (stages are numbered from 0)` };
  }
  const wanted = value.toLowerCase();
  const named = stages.filter((s) => s.name?.toLowerCase() === wanted);
  if (named.some((s) => s.index < current)) return { kind: 'ok' };
  if (named.some((s) => s.index === current)) return { kind: 'self' };
  if (named.length > 0) return { kind: 'later', stage: named[0] };
  // Anything with a registry, tag or digest is an image reference.
  if (/[/:@]/.test(value)) return { kind: 'ok' };
  if (value !== wanted) {
    return { kind: 'unknown', why: `no earlier stage is named '${value}', and image names cannot contain upper-case letters` };
  }
  // A plain lowercase word may be an image (`nginx`) or a named build context, unless it is a
  // near miss of a stage name, which is far more likely a typo.
  const limit = value.length >= 5 ? 2 : 1;
  const near = stages.find((s) => s.index < current && s.name && editDistance(s.name.toLowerCase(), wanted) <= limit);
  if (near?.name) return { kind: 'unknown', why: `no earlier stage is named '${value}' (did you mean '${near.name}'?)` };
  return { kind: 'ok' };
}

function copyFroms(ctx: RuleContext): CopyFrom[] {
  const stages = stagesOf(ctx.dockerfile);
  const out: CopyFrom[] = [];
  for (const stage of stages) {
    for (const instruction of stage.instructions) {
      if (keywordOf(instruction) !== 'COPY') continue;
      const flag = flagsOf(instruction).find((f) => f.getName().toLowerCase() === 'from');
      const value = flag?.getValue();
      const range = flag?.getValueRange();
      // `--from=$STAGE` cannot be judged statically.
      if (!value || !range || value.includes('$')) continue;
      out.push({ value, range, target: classify(value, stages, stage.index) });
    }
  }
  return out;
}

export const copyFromUnknownStage: Rule = {
  id: 'BH009',
  hadolint: ['DL3022'],
  name: 'copy-from-unknown-stage',
  defaultSeverity: 'error',
  description: 'COPY --from must reference a stage defined earlier in the Dockerfile (or an image).',
  check(ctx) {
    const findings: Finding[] = [];
    for (const { value, range, target } of copyFroms(ctx)) {
      if (target.kind === 'later') {
        const line = target.stage.from.getRange().start.line + 1;
        findings.push({
          range,
          message: `COPY --from=${value} refers to a stage defined later (line ${line}); a stage can only copy from stages above it, so move that stage before this one.`,
        });
      } else if (target.kind === 'unknown') {
        findings.push({ range, message: `COPY --from=${value} refers to an unknown stage: ${target.why}. Fix the name or define the stage above this one.` });
      }
    }
    return findings;
  },
};

export const copyFromSelf: Rule = {
  id: 'BH010',
  hadolint: ['DL3023'],
  name: 'copy-from-own-stage',
  defaultSeverity: 'error',
  description: 'A stage cannot COPY --from itself; the build fails with a circular dependency.',
  check(ctx) {
    return copyFroms(ctx)
      .filter((c) => c.target.kind === 'self')
      .map(({ value, range }) => ({
        range,
        message: `COPY --from=${value} refers to the stage it is in, which cannot copy from itself; copy from an earlier stage, or drop --from to copy from the build context.`,
      }));
  },
};
