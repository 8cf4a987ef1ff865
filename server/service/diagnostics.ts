// All diagnostics for one Dockerfile: dockerfile-utils' checks (the reference server's set,
// with its per-check severities) plus berth's best-practice rules, minus what the user silenced.
import { DockerfileParser, type Dockerfile } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver-types';
import { EMPTY_HADOLINT_CONFIG, type HadolintConfig } from './hadolintConfig';
import type { Finding, Rule, RuleSeverity } from './rules/rule';
import { toValidatorSettings, type BerthSettings, type RuleSetting } from './settings';
import { collectSuppressions } from './suppression';

export const BERTH_SOURCE = 'berth';

export interface Logger {
  log(message: string): void;
}

const SEVERITY: Record<RuleSeverity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/** The data a berth diagnostic carries, so code actions can find its rule again. */
export interface BerthDiagnosticData {
  rule: string;
}

/** The effective setting of a rule: user settings win over .hadolint.yaml, which wins over the default. */
export function ruleSetting(rule: Rule, settings: BerthSettings, config: HadolintConfig): RuleSetting {
  const candidates = [rule.id, ...rule.hadolint];
  for (const id of candidates) if (settings.rules[id]) return settings.rules[id];
  for (const id of candidates) if (config.severities[id]) return config.severities[id];
  return rule.defaultSeverity;
}

/** Runs a rule, turning a bug in it into a log line rather than a crashed server. */
export function runRule(rule: Rule, dockerfile: Dockerfile, content: string, logger?: Logger): Finding[] {
  try {
    return rule.check({ dockerfile, content });
  } catch (e) {
    logger?.log(`rule ${rule.id} (${rule.name}) failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return [];
  }
}

export interface DiagnosticsInput {
  content: string;
  settings: BerthSettings;
  rules: readonly Rule[];
  hadolint?: HadolintConfig;
  logger?: Logger;
}

export function computeDiagnostics(input: DiagnosticsInput): Diagnostic[] {
  const { content, settings, rules, logger } = input;
  const hadolint = input.hadolint ?? EMPTY_HADOLINT_CONFIG;
  const utils = validate(content, toValidatorSettings(settings));
  if (!settings.bestPractices) return utils;

  const dockerfile = DockerfileParser.parse(content);
  const lines = content.split(/\r\n|\r|\n/);
  const suppressions = collectSuppressions(dockerfile, lines, hadolint);
  const utilsLinesByCode = new Map<unknown, Set<number>>();
  for (const d of utils) {
    const set = utilsLinesByCode.get(d.code) ?? new Set<number>();
    set.add(d.range.start.line);
    utilsLinesByCode.set(d.code, set);
  }

  const out: Diagnostic[] = [...utils];
  for (const rule of rules) {
    const setting = ruleSetting(rule, settings, hadolint);
    if (setting === 'ignore') continue;
    const ids = [rule.id, ...rule.hadolint];
    for (const finding of runRule(rule, dockerfile, content, logger)) {
      const line = finding.range.start.line;
      if (suppressions.isSuppressed(ids, line)) continue;
      // The same problem already reported by dockerfile-utils: show it once.
      if (rule.overlaps?.some((code) => utilsLinesByCode.get(code)?.has(line))) continue;
      const data: BerthDiagnosticData = { rule: rule.id };
      out.push({
        range: finding.range,
        message: finding.message,
        severity: SEVERITY[setting],
        code: rule.id,
        source: BERTH_SOURCE,
        data,
      });
    }
  }
  return out;
}
