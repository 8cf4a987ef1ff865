import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ValidationSeverity } from 'dockerfile-utils';
import { defaultSettings, normalizeSettings, toValidatorSettings } from '../../server/service/settings';

test('defaults match the reference server: every dockerfile-utils check is a warning', () => {
  const settings = normalizeSettings(undefined);
  assert.deepEqual(settings, defaultSettings());
  assert.equal(toValidatorSettings(settings).instructionCasing, ValidationSeverity.WARNING);
  assert.equal(settings.formatter.continuationIndent, 'preserve');
  assert.equal(settings.bestPractices, true);
});

test('valid values are taken, malformed ones fall back to the default', () => {
  const settings = normalizeSettings({
    diagnostics: { instructionCasing: 'error', deprecatedMaintainer: 'ignore', directiveCasing: 'loud', emptyContinuationLine: 3 },
    bestPractices: 'yes',
    rules: { bh002: 'ignore', DL3008: 'error', BH003: 'sometimes', BH004: 7 },
    formatter: { continuationIndent: 'normalize', ignoreMultilineInstructions: 'true' },
  });
  const v = toValidatorSettings(settings);
  assert.equal(v.instructionCasing, ValidationSeverity.ERROR);
  assert.equal(v.deprecatedMaintainer, ValidationSeverity.IGNORE);
  assert.equal(v.directiveCasing, ValidationSeverity.WARNING);
  assert.equal(v.emptyContinuationLine, ValidationSeverity.WARNING);
  assert.equal(settings.bestPractices, true);
  assert.deepEqual(settings.rules, { BH002: 'ignore', DL3008: 'error' });
  assert.equal(settings.formatter.continuationIndent, 'normalize');
  assert.equal(settings.formatter.ignoreMultilineInstructions, false);
});

test('a section that is not an object yields defaults', () => {
  for (const junk of [null, 42, 'x', [1, 2]]) assert.deepEqual(normalizeSettings(junk), defaultSettings());
});
