import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseHadolintConfig } from '../../server/service/hadolintConfig';

test('ignored and override sections are read, ids upper-cased', () => {
  const { config, error } = parseHadolintConfig(
    ['ignored:', '  - DL3008', '  - dl3009', 'override:', '  error: [DL3002]', '  style: [DL3059]', 'trustedRegistries: [x]'].join('\n'),
  );
  assert.equal(error, undefined);
  assert.deepEqual(config.ignored, ['DL3008', 'DL3009']);
  assert.deepEqual(config.severities, { DL3002: 'error', DL3059: 'hint' });
});

test('an empty file is an empty configuration', () => {
  assert.deepEqual(parseHadolintConfig('').config, { ignored: [], severities: {} });
});

test('invalid YAML is reported with the file name and applies nothing', () => {
  const result = parseHadolintConfig('ignored: [DL3008\n  - : :', '/w/.hadolint.yaml');
  assert.match(result.error ?? '', /\/w\/\.hadolint\.yaml is not valid YAML/);
  assert.deepEqual(result.config.ignored, []);
});

test('wrong shapes are named, the valid parts still apply', () => {
  const result = parseHadolintConfig('ignored: DL3008\noverride:\n  loud: [DL3002]\n  warning: [DL3003]\n');
  assert.match(result.error ?? '', /'ignored' must be a list/);
  assert.match(result.error ?? '', /unknown level 'loud'/);
  assert.deepEqual(result.config.severities, { DL3003: 'warning' });
  assert.match(parseHadolintConfig('- a\n- b\n').error ?? '', /must be a mapping/);
});
