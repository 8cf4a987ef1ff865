// Consecutive RUN instructions (hadolint DL3059).
import { Run } from 'dockerfile-ast';
import type { RuleFix, Finding, Rule } from '../rule';
import { analyse, simpleCommands } from './analysis';
import type { Analysis, RunInfo } from './analysis';
import { indentationOf } from './edits';

// Like hadolint: a RUN that already chains more than two commands was most likely split
// from its neighbour on purpose (e.g. to cache a slow step), so it is left alone.
const MAX_COMMANDS = 2;

function mergeable(info: RunInfo): boolean {
  // Cheapest tests first: asking dockerfile-ast for flags and heredocs rescans the instruction.
  return (
    info.script.form === 'shell' &&
    commandCount(info) <= MAX_COMMANDS &&
    info.run.getFlags().length === 0 &&
    !hasHeredocs(info.run)
  );
}

/**
 * Whether dockerfile-ast sees heredocs in the RUN. It only makes them from arguments starting
 * with `<<`, so a RUN without one has none; looking for one is much cheaper than its own scan.
 */
function hasHeredocs(run: Run): boolean {
  return run.getArguments().some((a) => a.getValue().startsWith('<<')) && run.getHeredocs().length > 0;
}

/** How many simple commands the RUN has (`simpleCommands(info).length` without the copies). */
function commandCount(info: RunInfo): number {
  let count = 0;
  for (const segment of info.script.segments) count += segment.script.commands.length;
  return count;
}

/**
 * Joins `second` onto `first` as `first && \` + newline + `second`'s commands. Comment lines
 * in between are kept (Docker drops them inside a continuation), blank lines are not.
 */
function mergeFix(analysis: Analysis, first: RunInfo, second: RunInfo): RuleFix | null {
  const { index, escapeChar, eol } = analysis;
  const firstEnd = index.offsetAt(first.run.getRange().end);
  // A trailing `# comment` would swallow the `&&`; `a; b` or `a || b` in the second RUN would
  // change meaning once prefixed with `first &&` (a failure of `first` could be masked).
  if (first.script.segments[0]?.script.end !== firstEnd) return null;
  const joins = simpleCommands(second).map((c) => c.next);
  if (joins.some((j) => j !== null && j !== '&&' && j !== '|' && j !== '|&')) return null;
  const secondArgs = second.run.getArgumentsRange();
  if (!secondArgs) return null;

  const firstRange = first.run.getRange();
  const comments: string[] = [];
  for (let line = firstRange.end.line + 1; line < second.run.getRange().start.line; line++) {
    const text = index.text.slice(index.offsetAt({ line, character: 0 }), index.offsetAt({ line: line + 1, character: 0 })).replace(/\r?\n$/, '');
    if (/^\s*#/.test(text)) comments.push(text + eol);
  }
  // Continue at the indentation of the first RUN's last line, or under its arguments.
  const indent = firstRange.end.line > firstRange.start.line ? indentationOf(analysis, firstRange.end.line) : `${indentationOf(analysis, firstRange.start.line)}    `;
  const at = index.positionAt(firstEnd);
  return {
    title: 'Merge into the previous RUN',
    edits: [{ range: { start: at, end: secondArgs.start }, newText: ` && ${escapeChar}${eol}${comments.join('')}${indent}` }],
  };
}

export const consecutiveRuns: Rule = {
  id: 'BH032',
  hadolint: ['DL3059'],
  name: 'consecutive-run',
  defaultSeverity: 'info',
  description: 'Every RUN adds a layer; short consecutive RUNs are usually better as one.',
  check(ctx) {
    const analysis = analyse(ctx);
    const findings: Finding[] = [];
    for (const stage of analysis.stages) {
      const byRun = new Map(stage.runs.map((r) => [r.run, r]));
      for (let k = 1; k < stage.instructions.length; k++) {
        const prev = stage.instructions[k - 1];
        const cur = stage.instructions[k];
        if (!(prev instanceof Run) || !(cur instanceof Run)) continue;
        const first = byRun.get(prev);
        const second = byRun.get(cur);
        if (!first || !second || !mergeable(first) || !mergeable(second)) continue;
        const fix = mergeFix(analysis, first, second);
        findings.push({
          range: cur.getInstructionRange(),
          message: `This RUN directly follows the RUN on line ${prev.getRange().start.line + 1}; each RUN adds a layer, so consider merging them with &&.`,
          ...(fix ? { fix } : {}),
        });
      }
    }
    return findings;
  },
};
