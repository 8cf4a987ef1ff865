// BH007: shell-form CMD/ENTRYPOINT runs as `/bin/sh -c "..."`; the shell is PID 1 and does
// not forward SIGTERM, so `docker stop` waits out its timeout and then kills the process.
import { ValidationCode } from 'dockerfile-utils';
import type { Rule, RuleFix } from '../rule';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Instruction } from 'dockerfile-ast';
import {
  documentOf,
  findStage,
  headerArguments,
  jsonForm,
  keywordOf,
  lineText,
  replace,
  stagesOf,
  type Stage,
} from './support';

/** Words that mean the same in sh and in exec form: no expansion, quoting, operators or globs. */
const PLAIN_WORD = /^[A-Za-z0-9_\-.\/:,=+@%^]+$/;

/** First words that only mean something to the shell: builtins, keywords, `VAR=value` prefixes. */
const SHELL_ONLY = new Set(['.', 'alias', 'case', 'cd', 'eval', 'exit', 'export', 'for', 'if', 'read', 'set', 'source', 'trap', 'ulimit', 'umask', 'unset', 'until', 'wait', 'while']);
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

/** Whether a SHELL instruction precedes `line` in the stage or a stage it is built FROM. */
function hasExplicitShell(stages: readonly Stage[], stage: Stage, line: number): boolean {
  const seen = new Set<number>();
  for (let current: Stage | undefined = stage; current && !seen.has(current.index); ) {
    seen.add(current.index);
    if (current.instructions.some((i) => keywordOf(i) === 'SHELL' && i.getRange().start.line < line)) return true;
    const base = current.from.getImageName();
    current = base ? findStage(stages, base, current.index) : undefined;
  }
  return false;
}

/** The exec-form rewrite of a shell-form command, when it provably means the same. */
function execForm(instruction: Instruction, document: TextDocument, escapeChar: string): { json: string; fix: RuleFix } | undefined {
  const range = instruction.getArgumentsRange();
  if (!range) return undefined;
  for (let line = range.start.line + 1; line <= range.end.line; line++) {
    if (lineText(document, line).trimStart().startsWith('#')) return undefined; // comment inside a continuation
  }
  let words = headerArguments(instruction, document, escapeChar).map((a) => a.getValue());
  if (words.length === 0 || !words.every((w) => PLAIN_WORD.test(w))) return undefined;
  // `exec prog` already replaces the shell; in exec form the `exec` is simply not needed.
  if (words[0] === 'exec' && words.length > 1) words = words.slice(1);
  if (SHELL_ONLY.has(words[0]) || ASSIGNMENT.test(words[0])) return undefined;
  const json = `[${words.map((w) => JSON.stringify(w)).join(', ')}]`;
  return { json, fix: { title: `Convert to exec form: ${json}`, edits: [replace(range, json)] } };
}

export const shellFormCommand: Rule = {
  id: 'BH007',
  hadolint: ['DL3025'],
  name: 'shell-form-command',
  defaultSeverity: 'warning',
  description: 'Shell-form CMD/ENTRYPOINT run under /bin/sh -c, which does not pass signals on to the process.',
  overlaps: [ValidationCode.JSON_IN_SINGLE_QUOTES],
  check(ctx) {
    const document = documentOf(ctx.dockerfile, ctx.content);
    const escapeChar = ctx.dockerfile.getEscapeCharacter();
    const stages = stagesOf(ctx.dockerfile);
    return stages.flatMap((stage) =>
      stage.instructions.flatMap((instruction) => {
        const keyword = keywordOf(instruction);
        if (keyword !== 'CMD' && keyword !== 'ENTRYPOINT') return [];
        const range = instruction.getArgumentsRange();
        if (!range || jsonForm(instruction, document)) return [];
        // BuildKit's JSONArgsRecommended: an explicit SHELL says the shell is intended.
        if (hasExplicitShell(stages, stage, range.start.line)) return [];
        const rewrite = execForm(instruction, document, escapeChar);
        const advice = rewrite ? `use the exec form: ${keyword} ${rewrite.json}` : 'use the JSON exec form, e.g. ["executable", "arg"]';
        const message = `${keyword} in shell form runs under /bin/sh -c, which does not forward signals such as SIGTERM to your process; ${advice}.`;
        return [rewrite ? { range, message, fix: rewrite.fix } : { range, message }];
      }),
    );
  },
};
