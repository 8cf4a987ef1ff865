// Helpers for rule unit tests: run one rule on a Dockerfile string, and apply a fix.
import { DockerfileParser } from 'dockerfile-ast';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Finding, Rule, RuleFix } from '../../server/service/rules/rule';

export function check(rule: Rule, content: string): Finding[] {
  return rule.check({ dockerfile: DockerfileParser.parse(content), content });
}

/** The document text after applying a fix's edits. */
export function applyFix(content: string, fix: RuleFix): string {
  const doc = TextDocument.create('file:///Dockerfile', 'dockerfile', 1, content);
  return TextDocument.applyEdits(doc, fix.edits);
}

/** Lines (0-based) on which the rule reports something. */
export function lines(findings: Finding[]): number[] {
  return findings.map((f) => f.range.start.line);
}
