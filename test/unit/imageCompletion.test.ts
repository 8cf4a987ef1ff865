import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DockerfileParser } from 'dockerfile-ast';
import { humanSize, imageCompletions, imageSlotAt, type LocalImage } from '../../server/service/imageCompletion';

const IMAGES: LocalImage[] = [
  { reference: 'busybox:latest', id: 'sha256:0123456789abcdef0123', size: 4_300_000 },
  { reference: 'busybox:1.36', id: 'sha256:fedcba9876543210fedc' },
  { reference: 'debian:bookworm' },
];

function complete(content: string, line: number, character: number) {
  const dockerfile = DockerfileParser.parse(content);
  const slot = imageSlotAt(dockerfile, content.split('\n')[line], { line, character });
  return slot ? imageCompletions(dockerfile, slot, IMAGES) : undefined;
}

test('after FROM, local images, earlier stages and scratch are offered', () => {
  const content = 'FROM debian:bookworm AS build\nFROM ';
  const items = complete(content, 1, 5);
  assert.deepEqual(
    items?.map((i) => i.label),
    ['build', 'busybox:latest', 'busybox:1.36', 'debian:bookworm', 'scratch'],
  );
  const busybox = items?.find((i) => i.label === 'busybox:latest');
  assert.equal(busybox?.detail, 'local image · 0123456789ab · 4.3 MB');
  assert.deepEqual(busybox?.textEdit, { range: { start: { line: 1, character: 5 }, end: { line: 1, character: 5 } }, newText: 'busybox:latest' });
});

test('what is typed filters, and the edit replaces the whole image argument', () => {
  const items = complete('FROM busybox:1 AS x\n', 0, 13);
  assert.deepEqual(items?.map((i) => i.label), ['busybox:latest', 'busybox:1.36']);
  assert.deepEqual(items?.[1].textEdit, { range: { start: { line: 0, character: 5 }, end: { line: 0, character: 14 } }, newText: 'busybox:1.36' });
  assert.deepEqual(complete('FROM busybox:1.', 0, 15)?.map((i) => i.label), ['busybox:1.36']);
});

test('flags are skipped; no slot on the keyword, on the stage name, or before a space', () => {
  assert.deepEqual(complete('FROM --platform=linux/amd64 deb', 0, 31)?.map((i) => i.label), ['debian:bookworm']);
  assert.equal(complete('FROM busybox AS stage', 0, 19), undefined);
  assert.equal(complete('FROM', 0, 4), undefined);
  assert.equal(complete('FROM busybox\nRUN echo', 1, 8), undefined);
});

test('a later stage is not offered to an earlier FROM', () => {
  const items = complete('FROM \nFROM busybox AS later', 0, 5);
  assert.equal(items?.some((i) => i.label === 'later'), false);
});

test('sizes are shown the way docker images shows them', () => {
  assert.equal(humanSize(999), '999 B');
  assert.equal(humanSize(4_300_000), '4.3 MB');
  assert.equal(humanSize(123_400_000), '123 MB');
});
