// Reads hadolint's configuration file (.hadolint.yaml) so teams that already use hadolint keep
// their decisions: `ignored` rules stay quiet and `override` changes severities.
import { parse } from 'yaml';
import type { RuleSetting } from './settings';

export interface HadolintConfig {
  /** Upper-cased rule ids (DLxxxx, and BHxxx for berth's own) that must not be reported. */
  readonly ignored: readonly string[];
  /** Severity per rule id from hadolint's `override:` section. */
  readonly severities: Readonly<Record<string, RuleSetting>>;
}

export const EMPTY_HADOLINT_CONFIG: HadolintConfig = { ignored: [], severities: {} };

export type HadolintConfigResult = { config: HadolintConfig; error?: undefined } | { config: HadolintConfig; error: string };

// hadolint's levels; `style` has no LSP equivalent closer than a hint.
const LEVELS: Record<string, RuleSetting> = { error: 'error', warning: 'warning', info: 'info', style: 'hint', ignore: 'ignore' };

function ids(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string').map((v) => v.trim().toUpperCase()) : [];
}

/**
 * Parses the text of a .hadolint.yaml. A file that is not valid YAML, or whose sections have the
 * wrong shape, yields the empty configuration plus an error naming what is wrong.
 */
export function parseHadolintConfig(text: string, fileName = '.hadolint.yaml'): HadolintConfigResult {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    const reason = e instanceof Error ? e.message.split('\n')[0] : String(e);
    return { config: EMPTY_HADOLINT_CONFIG, error: `${fileName} is not valid YAML (${reason}); its ignored rules are not applied until it is fixed.` };
  }
  if (doc === null || doc === undefined) return { config: EMPTY_HADOLINT_CONFIG };
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    return { config: EMPTY_HADOLINT_CONFIG, error: `${fileName} must be a mapping with keys such as 'ignored' and 'override'.` };
  }
  const record = doc as Record<string, unknown>;
  const problems: string[] = [];
  if (record.ignored !== undefined && !Array.isArray(record.ignored)) problems.push("'ignored' must be a list of rule ids");
  const severities: Record<string, RuleSetting> = {};
  const override = record.override;
  if (override !== undefined && override !== null) {
    if (typeof override !== 'object' || Array.isArray(override)) {
      problems.push("'override' must map levels (error, warning, info, style) to lists of rule ids");
    } else {
      for (const [level, list] of Object.entries(override as Record<string, unknown>)) {
        const setting = LEVELS[level];
        if (!setting) {
          problems.push(`unknown level '${level}' under 'override'`);
          continue;
        }
        for (const id of ids(list)) severities[id] = setting;
      }
    }
  }
  const config: HadolintConfig = { ignored: ids(record.ignored), severities };
  return problems.length > 0 ? { config, error: `${fileName}: ${problems.join('; ')}.` } : { config };
}
