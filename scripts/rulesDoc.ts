// Renders docs/rules.md from the rule registry, so the table of berth rules and their hadolint
// equivalents is never out of date. `node --import tsx scripts/rulesDoc.ts --write` updates it;
// a unit test fails when the committed file differs.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { allRules } from '../server/service/rules';

export function renderRulesDoc(): string {
  const rows = allRules.map((rule) => {
    return `| ${rule.id} | ${rule.name} | ${rule.hadolint.join(', ') || '—'} | ${rule.defaultSeverity} | ${rule.description} |`;
  });
  return [
    '# berth best-practice rules',
    '',
    'Generated from `server/service/rules/` by `node --import tsx scripts/rulesDoc.ts --write`; do not edit by hand.',
    '',
    'Silence a rule with `# berth ignore=BH003` (or `# hadolint ignore=DL3020`) on the line above the',
    'instruction, `# berth global ignore=BH003` for the whole file, `ignored:` in `.hadolint.yaml`, or',
    'the `berth.languageserver.rules` setting. A hadolint id silences or re-ranks every berth rule that',
    'lists it.',
    '',
    '| id | name | hadolint | default severity | why |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}

if (require.main === module) {
  const text = renderRulesDoc();
  if (process.argv.includes('--write')) writeFileSync(join(__dirname, '..', 'docs', 'rules.md'), text);
  else process.stdout.write(text);
}
