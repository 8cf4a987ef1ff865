// The diagnostics pipeline: severity resolution, suppression, overlap folding and rule
// failures, exercised with small rules defined here (the real rules have their own tests).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ValidationCode } from 'dockerfile-utils';
import { DiagnosticSeverity } from 'vscode-languageserver-types';
import { computeDiagnostics } from '../../server/service/diagnostics';
import { parseHadolintConfig } from '../../server/service/hadolintConfig';
import type { Rule } from '../../server/service/rules/rule';
import { defaultSettings, normalizeSettings } from '../../server/service/settings';

/** Flags every instruction whose keyword is `keyword`, on the keyword. */
function keywordRule(id: string, keyword: string, extra: Partial<Rule> = {}): Rule {
  return {
    id,
    hadolint: [],
    name: `no-${keyword.toLowerCase()}`,
    defaultSeverity: 'warning',
    description: 'test rule',
    check: ({ dockerfile }) =>
      dockerfile
        .getInstructions()
        .filter((i) => i.getKeyword() === keyword)
        .map((i) => ({ range: i.getInstructionRange(), message: `${keyword} found` })),
    ...extra,
  };
}

const CONTENT = ['FROM busybox:1.36', 'WORKDIR app', 'RUN true', '# hadolint ignore=DL9999', 'RUN false', ''].join('\n');
const berth = (diagnostics: ReturnType<typeof computeDiagnostics>) =>
  diagnostics.filter((d) => d.source === 'berth').map((d) => `${d.code}@${d.range.start.line}:${d.severity}`);

test('berth findings carry the rule id, source and default severity; pragmas silence by DL id', () => {
  const rules = [keywordRule('BH900', 'RUN', { hadolint: ['DL9999'] })];
  const diagnostics = computeDiagnostics({ content: CONTENT, settings: defaultSettings(), rules });
  assert.deepEqual(berth(diagnostics), [`BH900@2:${DiagnosticSeverity.Warning}`]);
  const d = diagnostics.find((x) => x.code === 'BH900');
  assert.deepEqual(d?.data, { rule: 'BH900' });
  assert.equal(d?.message, 'RUN found');
});

test('severity: user setting by BH or DL id, then .hadolint.yaml override, then default', () => {
  const rules = [keywordRule('BH900', 'RUN', { hadolint: ['DL9998'] })];
  const hadolint = parseHadolintConfig('override:\n  error: [DL9998]\n').config;
  const run = (section: unknown) => berth(computeDiagnostics({ content: CONTENT, settings: normalizeSettings(section), rules, hadolint }));
  assert.deepEqual(run({}), [`BH900@2:${DiagnosticSeverity.Error}`, `BH900@4:${DiagnosticSeverity.Error}`]);
  assert.deepEqual(run({ rules: { DL9998: 'info' } }), [`BH900@2:${DiagnosticSeverity.Information}`, `BH900@4:${DiagnosticSeverity.Information}`]);
  assert.deepEqual(run({ rules: { BH900: 'hint', DL9998: 'info' } }), [`BH900@2:${DiagnosticSeverity.Hint}`, `BH900@4:${DiagnosticSeverity.Hint}`]);
  assert.deepEqual(run({ rules: { BH900: 'ignore' } }), []);
  assert.deepEqual(run({ bestPractices: false }), []);
});

test('.hadolint.yaml ignored list silences the rule everywhere', () => {
  const rules = [keywordRule('BH900', 'RUN', { hadolint: ['DL9997'] })];
  const hadolint = parseHadolintConfig('ignored: [DL9997]').config;
  assert.deepEqual(berth(computeDiagnostics({ content: CONTENT, settings: defaultSettings(), rules, hadolint })), []);
});

test('a finding that dockerfile-utils already reports on the same line is shown once', () => {
  const rules = [keywordRule('BH901', 'WORKDIR', { overlaps: [ValidationCode.WORKDIR_IS_NOT_ABSOLUTE] })];
  const all = computeDiagnostics({ content: CONTENT, settings: defaultSettings(), rules });
  assert.deepEqual(berth(all), []);
  assert.equal(all.filter((d) => d.code === ValidationCode.WORKDIR_IS_NOT_ABSOLUTE).length, 1);
  // When the user turns the dockerfile-utils check off, the berth rule still speaks.
  const quiet = computeDiagnostics({ content: CONTENT, settings: normalizeSettings({ diagnostics: { instructionWorkdirRelative: 'ignore' } }), rules });
  assert.deepEqual(berth(quiet), [`BH901@1:${DiagnosticSeverity.Warning}`]);
});

test('a rule that throws is logged and the other rules still report', () => {
  const logged: string[] = [];
  const broken: Rule = { ...keywordRule('BH902', 'FROM'), check: () => { throw new Error('boom'); } };
  const diagnostics = computeDiagnostics({
    content: CONTENT,
    settings: defaultSettings(),
    rules: [broken, keywordRule('BH903', 'FROM')],
    logger: { log: (m) => logged.push(m) },
  });
  assert.deepEqual(berth(diagnostics), [`BH903@0:${DiagnosticSeverity.Warning}`]);
  assert.match(logged.join('\n'), /rule BH902 \(no-from\) failed: Error: boom/);
});
