// Pipes without pipefail (hadolint DL4006).
import type { Range } from 'vscode-languageserver-types';
import type { Finding, Rule, RuleFix } from '../rule';
import type { ShellSegment } from '../../shell';
import { analyse, setsPipefail } from './analysis';
import type { Analysis, RunInfo } from './analysis';
import { indentationOf } from './edits';

/** The base image at the root of the stage's FROM chain, to pick a shell it has. */
function baseImage(info: RunInfo): string {
  let stage = info.stage;
  while (stage.parent) stage = stage.parent;
  return stage.from?.getImageName() ?? '';
}

interface Pipe {
  readonly range: Range;
  readonly segment: ShellSegment;
}

/**
 * The first `|` of the RUN not covered by an earlier `set -o pipefail` of the same shell.
 * A script run by a shell named in the RUN (`bash <<EOF`) starts without the options of the
 * shell that launched it.
 */
function unprotectedPipe(info: RunInfo): Pipe | null {
  // info.commands holds the programs of the RUN's simple commands, in the same order as the
  // segments list them (commands that run no program are absent): walk it alongside.
  let next = 0;
  let outer = false;
  for (const segment of info.script.segments) {
    let pipefail: boolean = segment.ownShell ? false : outer;
    for (const command of segment.script.commands) {
      const invocation = info.commands[next]?.invocation.command === command ? info.commands[next++].invocation : null;
      if (invocation?.name === 'set' && setsPipefail(invocation.args.map((w) => w.value))) pipefail = true;
      if ((command.next === '|' || command.next === '|&') && !pipefail && command.nextRange) return { range: command.nextRange, segment };
    }
    if (!segment.ownShell) outer = pipefail;
  }
  return null;
}

/** `set -o pipefail` as the first line of a heredoc script run by its own shell. */
function setPipefailFix(analysis: Analysis, segment: ShellSegment): RuleFix | null {
  const content = segment.heredoc?.getContentRange();
  if (!content) return null;
  // After a #! line, which must stay first; indented like the script.
  const { index } = analysis;
  const first = content.start.line;
  const line = index.text.slice(index.offsetAt({ line: first, character: 0 })).startsWith('#!') ? first + 1 : first;
  const at = { line, character: 0 };
  const text = index.text.slice(index.offsetAt(at));
  const indent = /^[ \t]*/.exec(text)?.[0] ?? '';
  return { title: 'Add set -o pipefail', edits: [{ range: { start: at, end: at }, newText: `${indent}set -o pipefail${analysis.eol}` }] };
}

export const pipeWithoutPipefail: Rule = {
  id: 'BH030',
  hadolint: ['DL4006'],
  name: 'pipefail',
  defaultSeverity: 'warning',
  description: 'Without pipefail a pipe succeeds when its last command does, so a failed download piped into a shell or tar goes unnoticed.',
  check(ctx) {
    const analysis = analyse(ctx);
    const findings: Finding[] = [];
    for (const info of analysis.runs) {
      // Exec form has no shell, hence no pipe of ours to judge.
      if (info.script.form !== 'shell') continue;
      const pipe = unprotectedPipe(info);
      if (!pipe) continue;
      if (pipe.segment.ownShell) {
        const fix = setPipefailFix(analysis, pipe.segment);
        findings.push({
          range: pipe.range,
          message: 'This pipe fails only if its last command fails; start the script with `set -o pipefail` (SHELL options do not reach a shell started by the RUN).',
          ...(fix ? { fix } : {}),
        });
        continue;
      }
      if (!info.shell.posix || info.shell.pipefail) continue;
      // Alpine images have no bash; busybox ash knows pipefail.
      const sh = /alpine/i.test(baseImage(info)) ? '/bin/ash' : '/bin/bash';
      const shellLine = `SHELL ["${sh}", "-o", "pipefail", "-c"]`;
      const line = info.run.getRange().start.line;
      const at = { line, character: 0 };
      findings.push({
        range: pipe.range,
        message: `This pipe fails only if its last command fails; add \`${shellLine}\` before this RUN (or start the RUN with \`set -o pipefail &&\`).`,
        fix: {
          title: `Add ${shellLine} before this RUN`,
          edits: [{ range: { start: at, end: at }, newText: `${indentationOf(analysis, line)}${shellLine}${analysis.eol}` }],
        },
      });
    }
    return findings;
  },
};
