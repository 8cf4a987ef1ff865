// berth.languageserver.* settings: their shape, defaults, and normalisation from whatever
// JSON a client sends (untrusted: any field may be missing or of the wrong type).
import { ValidationSeverity, type ValidatorSettings } from 'dockerfile-utils';
import type { RuleSeverity } from './rules/rule';

/** The dockerfile-utils checks whose severity users can set, as the reference server names them. */
export const VALIDATOR_KEYS = [
  'deprecatedMaintainer',
  'directiveCasing',
  'emptyContinuationLine',
  'instructionCasing',
  'instructionCmdMultiple',
  'instructionEntrypointMultiple',
  'instructionHealthcheckMultiple',
  'instructionJSONInSingleQuotes',
  'instructionWorkdirRelative',
] as const;
export type ValidatorKey = (typeof VALIDATOR_KEYS)[number];

export type UtilsSeverity = 'ignore' | 'warning' | 'error';
export type RuleSetting = RuleSeverity | 'ignore';
export type ContinuationIndent = 'preserve' | 'normalize';

export interface BerthSettings {
  diagnostics: Record<ValidatorKey, UtilsSeverity>;
  /** Best-practice (BH) rules on or off as a whole. */
  bestPractices: boolean;
  /** Per-rule severity overrides, by BH id or hadolint DL id. */
  rules: Record<string, RuleSetting>;
  formatter: {
    ignoreMultilineInstructions: boolean;
    /** 'preserve' keeps the user's indentation of continuation lines. */
    continuationIndent: ContinuationIndent;
  };
}

export function defaultSettings(): BerthSettings {
  const diagnostics = {} as Record<ValidatorKey, UtilsSeverity>;
  for (const key of VALIDATOR_KEYS) diagnostics[key] = 'warning';
  return {
    diagnostics,
    bestPractices: true,
    rules: {},
    formatter: { ignoreMultilineInstructions: false, continuationIndent: 'preserve' },
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const UTILS_SEVERITIES: readonly string[] = ['ignore', 'warning', 'error'];
const RULE_SETTINGS: readonly string[] = ['ignore', 'hint', 'info', 'warning', 'error'];

/** Reads the `berth.languageserver` section; unknown or malformed values fall back to defaults. */
export function normalizeSettings(section: unknown): BerthSettings {
  const settings = defaultSettings();
  if (!isRecord(section)) return settings;
  const diagnostics = section.diagnostics;
  if (isRecord(diagnostics)) {
    for (const key of VALIDATOR_KEYS) {
      const value = diagnostics[key];
      if (typeof value === 'string' && UTILS_SEVERITIES.includes(value)) settings.diagnostics[key] = value as UtilsSeverity;
    }
  }
  if (typeof section.bestPractices === 'boolean') settings.bestPractices = section.bestPractices;
  if (isRecord(section.rules)) {
    for (const [id, value] of Object.entries(section.rules)) {
      if (typeof value === 'string' && RULE_SETTINGS.includes(value)) settings.rules[id.toUpperCase()] = value as RuleSetting;
    }
  }
  const formatter = section.formatter;
  if (isRecord(formatter)) {
    if (typeof formatter.ignoreMultilineInstructions === 'boolean') {
      settings.formatter.ignoreMultilineInstructions = formatter.ignoreMultilineInstructions;
    }
    if (formatter.continuationIndent === 'preserve' || formatter.continuationIndent === 'normalize') {
      settings.formatter.continuationIndent = formatter.continuationIndent;
    }
  }
  return settings;
}

const TO_VALIDATION_SEVERITY: Record<UtilsSeverity, ValidationSeverity> = {
  ignore: ValidationSeverity.IGNORE,
  warning: ValidationSeverity.WARNING,
  error: ValidationSeverity.ERROR,
};

export function toValidatorSettings(settings: BerthSettings): ValidatorSettings {
  const out: ValidatorSettings = {};
  for (const key of VALIDATOR_KEYS) out[key] = TO_VALIDATION_SEVERITY[settings.diagnostics[key]];
  return out;
}
