import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BerthLanguageService } from '../../server/service/languageService';

const URI = 'file:///w/Dockerfile';
const CONTENT = [
  'ARG BASE=alpine:3.20', // 0
  'FROM $BASE AS build', // 1
  'ARG VERSION=1', // 2
  'ENV APP_VERSION=$VERSION', // 3
  'RUN echo ${VERSION} $APP_VERSION', // 4
  'FROM build AS test', // 5
  'COPY --from=build /out /out', // 6
  'FROM scratch', // 7
  'COPY --from=test /out /', // 8
].join('\n');

const service = new BerthLanguageService({ rules: [] });
const at = (line: number, character: number, includeDeclaration = true) =>
  service.references(URI, CONTENT, { line, character }, includeDeclaration).map((l) => `${l.range.start.line}:${l.range.start.character}-${l.range.end.character}`);

test('references of a stage name: its declaration, FROM and COPY --from uses', () => {
  assert.deepEqual(at(1, 16), ['1:14-19', '5:5-10', '6:12-17']);
  assert.deepEqual(at(6, 13), ['1:14-19', '5:5-10', '6:12-17']);
  assert.deepEqual(at(6, 13, false), ['5:5-10', '6:12-17']);
});

test('references of an ARG follow Docker scoping', () => {
  assert.deepEqual(at(2, 5), ['2:4-11', '3:17-24', '4:11-18']);
  assert.deepEqual(at(4, 12, false), ['3:17-24', '4:11-18']);
  // The global ARG is used by FROM only; the stage does not see it.
  assert.deepEqual(at(0, 5), ['0:4-8', '1:6-10']);
});

test('references of an ENV variable', () => {
  assert.deepEqual(at(3, 6), ['3:4-15', '4:21-32']);
});

test('no references on an instruction keyword or plain text', () => {
  assert.deepEqual(at(4, 1), []);
  assert.deepEqual(at(7, 8), []);
});
