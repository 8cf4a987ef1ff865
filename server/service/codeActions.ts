// Quick fixes: the reference library's fixes for dockerfile-utils diagnostics (turned from
// commands into edits, so one round trip applies them), berth rules' mechanical fixes, and
// "ignore this rule here" for every berth diagnostic.
import type { Dockerfile } from 'dockerfile-ast';
import type { DockerfileLanguageService } from 'dockerfile-language-service';
import {
  CodeActionKind,
  type CodeAction,
  type Diagnostic,
  type Range,
  type TextEdit,
} from 'vscode-languageserver-types';
import { BERTH_SOURCE, runRule, type Logger } from './diagnostics';
import type { Rule } from './rules/rule';
import { parsePragma } from './suppression';

export interface CodeActionInput {
  uri: string;
  content: string;
  dockerfile: Dockerfile;
  diagnostics: readonly Diagnostic[];
  library: DockerfileLanguageService;
  rules: readonly Rule[];
  logger?: Logger;
}

function sameRange(a: Range, b: Range): boolean {
  return (
    a.start.line === b.start.line &&
    a.start.character === b.start.character &&
    a.end.line === b.end.line &&
    a.end.character === b.end.character
  );
}

function action(title: string, uri: string, edits: TextEdit[], diagnostic: Diagnostic, preferred = false): CodeAction {
  return {
    title,
    kind: CodeActionKind.QuickFix,
    diagnostics: [diagnostic],
    isPreferred: preferred || undefined,
    edit: { changes: { [uri]: edits } },
  };
}

export function computeCodeActions(input: CodeActionInput): CodeAction[] {
  const { uri, content, dockerfile, library, rules, logger } = input;
  const actions: CodeAction[] = [];
  const findingsCache = new Map<Rule, ReturnType<typeof runRule>>();
  const findings = (rule: Rule) => {
    let cached = findingsCache.get(rule);
    if (!cached) findingsCache.set(rule, (cached = runRule(rule, dockerfile, content, logger)));
    return cached;
  };
  const lines = content.split(/\r\n|\r|\n/);
  // The new pragma line uses the document's own line ending.
  const eol = content.includes('\r\n') ? '\r\n' : '\n';

  for (const diagnostic of input.diagnostics) {
    if (diagnostic.source === BERTH_SOURCE && typeof diagnostic.code === 'string') {
      const rule = rules.find((r) => r.id === diagnostic.code);
      if (!rule) continue;
      const finding = findings(rule).find((f) => sameRange(f.range, diagnostic.range));
      if (finding?.fix) actions.push(action(finding.fix.title, uri, finding.fix.edits, diagnostic, true));
      const ignore = ignoreEdit(dockerfile, lines, diagnostic.range.start.line, rule.id, eol);
      if (ignore) actions.push(action(`Ignore ${rule.id} for this instruction`, uri, [ignore], diagnostic));
      continue;
    }
    // A dockerfile-utils diagnostic. The library mutates the codes it is given, so pass a copy.
    const copy: Diagnostic = { ...diagnostic, range: diagnostic.range };
    for (const command of library.computeCodeActions({ uri }, diagnostic.range, { diagnostics: [copy] })) {
      const edits = library.computeCommandEdits(content, command.command, command.arguments ?? []);
      if (edits && edits.length > 0) actions.push(action(command.title, uri, edits, diagnostic));
    }
    // A berth rule that reports the same problem contributes its fix here instead.
    for (const rule of rules) {
      if (!rule.overlaps?.some((code) => code === diagnostic.code)) continue;
      const finding = findings(rule).find((f) => f.range.start.line === diagnostic.range.start.line);
      if (finding?.fix) actions.push(action(finding.fix.title, uri, finding.fix.edits, diagnostic, true));
    }
  }
  return actions;
}

/**
 * An edit that silences `id` for the instruction on `line`: appended to a `# berth ignore=`
 * pragma directly above it if there is one, otherwise a new pragma line at its indentation.
 */
export function ignoreEdit(dockerfile: Dockerfile, lines: readonly string[], line: number, id: string, eol = '\n'): TextEdit | undefined {
  const instruction = dockerfile
    .getInstructions()
    .find((i) => i.getRange().start.line <= line && line <= i.getRange().end.line);
  if (!instruction) return undefined;
  const start = instruction.getRange().start.line;
  const above = start > 0 ? lines[start - 1] : undefined;
  if (above !== undefined) {
    const pragma = parsePragma(above, start - 1);
    if (pragma && !pragma.global && /#\s*berth/.test(above)) {
      const end = above.replace(/\s+$/, '').length;
      return { range: { start: { line: start - 1, character: end }, end: { line: start - 1, character: end } }, newText: `,${id}` };
    }
  }
  const indent = /^\s*/.exec(lines[start] ?? '')?.[0] ?? '';
  return { range: { start: { line: start, character: 0 }, end: { line: start, character: 0 } }, newText: `${indent}# berth ignore=${id}${eol}` };
}
