import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DockerfileParser } from 'dockerfile-ast';
import { EMPTY_HADOLINT_CONFIG } from '../../server/service/hadolintConfig';
import { collectSuppressions, parsePragma } from '../../server/service/suppression';

function suppressions(content: string, ignored: string[] = []) {
  return collectSuppressions(DockerfileParser.parse(content), content.split('\n'), { ...EMPTY_HADOLINT_CONFIG, ignored });
}

test('pragmas are parsed in hadolint and berth spellings', () => {
  assert.deepEqual(parsePragma('# hadolint ignore=DL3008,DL3009', 0), { line: 0, global: false, ids: ['DL3008', 'DL3009'] });
  assert.deepEqual(parsePragma('#hadolint ignore=DL3008, dl3009', 3), { line: 3, global: false, ids: ['DL3008', 'DL3009'] });
  assert.deepEqual(parsePragma('# berth global ignore=BH003', 1), { line: 1, global: true, ids: ['BH003'] });
  assert.equal(parsePragma('# just a comment about hadolint', 0), undefined);
  assert.equal(parsePragma('RUN echo # hadolint ignore=DL3008', 0), undefined);
});

test('a pragma covers every line of the instruction right below it, and nothing else', () => {
  const s = suppressions(['FROM debian:12', '# hadolint ignore=DL3008', 'RUN apt-get install \\', '    curl', 'RUN apt-get install wget'].join('\n'));
  assert.equal(s.isSuppressed(['BH023', 'DL3008'], 2), true);
  assert.equal(s.isSuppressed(['BH023', 'DL3008'], 3), true);
  assert.equal(s.isSuppressed(['BH023', 'DL3008'], 4), false);
  assert.equal(s.isSuppressed(['BH021', 'DL3015'], 2), false);
});

test('a pragma in a comment block above the instruction counts; one separated by an instruction does not', () => {
  const s = suppressions(['FROM debian:12', '# berth ignore=BH029', '# installs tools', 'RUN sudo make', 'RUN sudo make'].join('\n'));
  assert.equal(s.isSuppressed(['BH029'], 3), true);
  assert.equal(s.isSuppressed(['BH029'], 4), false);
});

test('global pragmas and .hadolint.yaml ignored lists cover the whole file', () => {
  const s = suppressions(['# hadolint global ignore=DL3007', 'FROM debian:latest', 'RUN x'].join('\n'), ['DL3059']);
  assert.equal(s.isSuppressed(['BH002', 'DL3007'], 1), true);
  assert.equal(s.isSuppressed(['BH032', 'DL3059'], 2), true);
  assert.equal(s.isSuppressed(['BH001', 'DL3006'], 1), false);
});
