// BH005 / BH006: only the last CMD (ENTRYPOINT) of a stage takes effect; earlier ones are
// dead code that misleads the reader about what the container runs.
import { ValidationCode } from 'dockerfile-utils';
import type { Rule } from '../rule';
import { documentOf, keywordOf, replace, stagesOf, wholeLinesRange } from './support';

function lastOneWins(id: string, hadolint: string, keyword: 'CMD' | 'ENTRYPOINT'): Rule {
  return {
    id,
    hadolint: [hadolint],
    name: `multiple-${keyword.toLowerCase()}`,
    defaultSeverity: 'warning',
    description: `Only the last ${keyword} of a stage takes effect, so earlier ones are misleading dead code.`,
    overlaps: [ValidationCode.MULTIPLE_INSTRUCTIONS],
    check(ctx) {
      const document = documentOf(ctx.dockerfile, ctx.content);
      return stagesOf(ctx.dockerfile).flatMap((stage) => {
        const all = stage.instructions.filter((instruction) => keywordOf(instruction) === keyword);
        const last = all[all.length - 1];
        return all.slice(0, -1).map((instruction) => ({
          range: instruction.getInstructionRange(),
          message: `This ${keyword} has no effect because the ${keyword} on line ${last.getRange().start.line + 1} replaces it; remove it or merge the two.`,
          fix: { title: `Remove the overridden ${keyword}`, edits: [replace(wholeLinesRange(instruction, document), '')] },
        }));
      });
    },
  };
}

export const multipleCmd = lastOneWins('BH005', 'DL4003', 'CMD');
export const multipleEntrypoint = lastOneWins('BH006', 'DL4004', 'ENTRYPOINT');
