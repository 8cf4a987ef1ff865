// The registry of berth's best-practice rules, in id order.
import { instructionRules } from './instructionRules';
import { runRules } from './runRules';
import type { Rule } from './rule';

export const allRules: readonly Rule[] = [...instructionRules, ...runRules].sort((a, b) => a.id.localeCompare(b.id));

const byId = new Map(allRules.map((rule) => [rule.id, rule]));

export function ruleById(id: string): Rule | undefined {
  return byId.get(id);
}
