// The registry as a whole: stable, well-formed ids, the rules the issue asks for, and the
// generated rule table in docs/ kept in step with the code.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { allRules } from '../../server/service/rules';
import { renderRulesDoc } from '../../scripts/rulesDoc';

test('at least 25 rules with unique, well-formed ids and names', () => {
  assert.ok(allRules.length >= 25, `${allRules.length} rules`);
  const ids = allRules.map((r) => r.id);
  assert.equal(new Set(ids).size, ids.length, 'ids are unique');
  assert.equal(new Set(allRules.map((r) => r.name)).size, ids.length, 'names are unique');
  for (const rule of allRules) {
    assert.match(rule.id, /^BH\d{3}$/);
    assert.match(rule.name, /^[a-z0-9]+(-[a-z0-9]+)*$/);
    for (const dl of rule.hadolint) assert.match(dl, /^DL\d{4}$/, `${rule.id} hadolint id ${dl}`);
    assert.ok(rule.description.length > 20, `${rule.id} has a description`);
  }
});

test('every practice the issue names has a rule, found by its hadolint id', () => {
  const byDl = new Set(allRules.flatMap((r) => r.hadolint));
  for (const dl of [
    'DL3006', 'DL3007', // untagged or latest base image
    'DL3014', 'DL3015', 'DL3009', // apt-get -y, --no-install-recommends, lists cleaned
    'DL3008', 'DL3013', 'DL3016', 'DL3018', // unpinned apt, pip, npm, apk
    'DL3003', 'DL3004', 'DL3020', 'DL3000', // cd, sudo, ADD vs COPY, relative WORKDIR
    'DL4003', 'DL4004', 'DL3025', 'DL3002', // multiple CMD / ENTRYPOINT, shell form, root user
    'DL3022', 'DL3023', 'DL3024', // COPY --from unknown / own stage, duplicate stage names
    'DL4006', 'DL3046', 'DL3059', 'DL3027', 'DL3011', // pipefail, useradd -l, consecutive RUN, apt, EXPOSE
  ]) {
    assert.ok(byDl.has(dl), `a rule corresponds to ${dl}`);
  }
  assert.ok(allRules.some((r) => r.name.includes('secret')), 'secrets in ARG/ENV names');
});

test('docs/rules.md is the rendering of the registry (run scripts/rulesDoc.ts --write after changing rules)', () => {
  const committed = readFileSync(join(__dirname, '..', '..', 'docs', 'rules.md'), 'utf8');
  assert.equal(committed, renderRulesDoc());
});
