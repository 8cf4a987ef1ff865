// The contract every best-practice rule implements. A rule is a pure function of the parsed
// Dockerfile: no I/O, no settings lookups (severity and suppression are applied by the caller).
import type { Dockerfile } from 'dockerfile-ast';
import type { Range, TextEdit } from 'vscode-languageserver-types';
import type { ValidationCode } from 'dockerfile-utils';

export type RuleSeverity = 'error' | 'warning' | 'info' | 'hint';

export interface RuleContext {
  /** The parsed document (dockerfile-ast). */
  readonly dockerfile: Dockerfile;
  /** The full text, for rules that need raw characters (offsets, continuation lines, heredoc bodies). */
  readonly content: string;
}

/** A mechanical fix: applying `edits` to the document resolves the finding. */
export interface RuleFix {
  readonly title: string;
  readonly edits: TextEdit[];
}

export interface Finding {
  /** Where the diagnostic is shown: as narrow as the offending text allows. */
  readonly range: Range;
  /** What is wrong and what to do, in one or two sentences a user can act on. */
  readonly message: string;
  readonly fix?: RuleFix;
}

export interface Rule {
  /** Stable id, `BH` + three digits. Never reused or renumbered once released. */
  readonly id: string;
  /** The hadolint ids this rule corresponds to, so `# hadolint ignore=` and .hadolint.yaml apply. */
  readonly hadolint: readonly string[];
  /** Short kebab-case name, shown in hovers and docs. */
  readonly name: string;
  readonly defaultSeverity: RuleSeverity;
  /** One sentence: why the practice matters. */
  readonly description: string;
  /**
   * dockerfile-utils validation codes that report the same problem. When one of them is
   * reported on the same line, the berth finding is folded into it (its fix is offered on
   * that diagnostic) instead of showing the user the same problem twice.
   */
  readonly overlaps?: readonly ValidationCode[];
  check(ctx: RuleContext): Finding[];
}
