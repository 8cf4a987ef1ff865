// BH011 / BH017 / BH018: stage naming. Stage names are matched case-insensitively, so a
// duplicate (in any case) is ambiguous and mixed case only obscures which stage is meant.
import { From } from 'dockerfile-ast';
import { ValidationCode } from 'dockerfile-utils';
import type { Range, TextEdit } from 'vscode-languageserver-types';
import type { Finding, Rule, RuleContext } from '../rule';
import { documentOf, flagsOf, keywordOf, replace, stagesOf, textOf } from './support';

export const duplicateStageName: Rule = {
  id: 'BH011',
  hadolint: ['DL3024'],
  name: 'duplicate-stage-name',
  defaultSeverity: 'error',
  description: 'Stage names must be unique (ignoring case), or references to them are ambiguous.',
  overlaps: [ValidationCode.DUPLICATE_BUILD_STAGE_NAME],
  check(ctx) {
    const firstLine = new Map<string, number>();
    const findings: Finding[] = [];
    for (const stage of stagesOf(ctx.dockerfile)) {
      const range = stage.from.getBuildStageRange();
      if (!stage.name || !range) continue;
      const key = stage.name.toLowerCase();
      const first = firstLine.get(key);
      if (first === undefined) {
        firstLine.set(key, range.start.line);
        continue;
      }
      findings.push({
        range,
        message: `Stage name '${stage.name}' is already used by the stage on line ${first + 1} (names ignore case); rename one of them so references are unambiguous.`,
      });
    }
    return findings;
  },
};

export const fromAsCasing: Rule = {
  id: 'BH017',
  hadolint: [],
  name: 'from-as-casing',
  defaultSeverity: 'info',
  description: "The 'AS' keyword should use the same case as 'FROM', for a consistent Dockerfile.",
  check(ctx) {
    return stagesOf(ctx.dockerfile).flatMap(({ from }) => {
      const args = from.getArguments();
      if (args.length < 3 || args[1].getValue().toLowerCase() !== 'as') return [];
      const keyword = from.getInstruction();
      const as = args[1].getValue();
      // Mixed-case FROM (`From`) has no clear style to follow.
      const wanted = keyword === keyword.toUpperCase() ? 'AS' : keyword === keyword.toLowerCase() ? 'as' : null;
      if (!wanted || as === wanted) return [];
      const range = args[1].getRange();
      return [
        {
          range,
          message: `'${as}' does not match the casing of '${keyword}'; write '${wanted}'.`,
          fix: { title: `Change '${as}' to '${wanted}'`, edits: [replace(range, wanted)] },
        },
      ];
    });
  },
};

/** Every place that names a stage: FROM images, COPY --from, RUN --mount=from=. */
function stageReferences(ctx: RuleContext): { text: string; range: Range }[] {
  const document = documentOf(ctx.dockerfile, ctx.content);
  const refs: { text: string; range: Range }[] = [];
  for (const instruction of ctx.dockerfile.getInstructions()) {
    const keyword = keywordOf(instruction);
    const image = instruction instanceof From ? instruction.getImageRange() : null;
    if (image) refs.push({ text: textOf(document, image), range: image });
    for (const flag of flagsOf(instruction)) {
      const name = flag.getName().toLowerCase();
      const range = flag.getValueRange();
      const value = flag.getValue();
      if (name === 'from' && keyword === 'COPY' && range && value) refs.push({ text: value, range });
      if (name !== 'mount') continue;
      for (const option of flag.getOptions()) {
        const optionRange = option.getValueRange();
        const optionValue = option.getValue();
        if (option.getName() === 'from' && optionRange && optionValue) refs.push({ text: optionValue, range: optionRange });
      }
    }
  }
  return refs;
}

export const stageNameCasing: Rule = {
  id: 'BH018',
  hadolint: [],
  name: 'stage-name-casing',
  defaultSeverity: 'info',
  description: 'Stage names are case-insensitive; writing them in lowercase avoids confusing `Build` and `build`.',
  check(ctx) {
    const findings: Finding[] = [];
    const refs = stageReferences(ctx);
    for (const stage of stagesOf(ctx.dockerfile)) {
      const range = stage.from.getBuildStageRange();
      if (!stage.name || !range || stage.name === stage.name.toLowerCase()) continue;
      const lower = stage.name.toLowerCase();
      const edits: TextEdit[] = [replace(range, lower)];
      for (const ref of refs) {
        if (ref.text.toLowerCase() === lower && ref.text !== lower) edits.push(replace(ref.range, lower));
      }
      findings.push({
        range,
        message: `Stage name '${stage.name}' should be lowercase ('${lower}'): stage names ignore case, and mixed case hides that '${stage.name}' and '${lower}' are the same stage.`,
        fix: { title: `Rename the stage to '${lower}' (and its references)`, edits },
      });
    }
    return findings;
  },
};
