import assert from 'node:assert/strict';
import { test } from 'node:test';
import { digestHex, InvalidDigestError, isDigest, parseDigest, sha256Of, type Digest } from '../../../runtime/store/digest';

const EMPTY = 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

test('sha256Of and digestHex', () => {
  assert.equal(sha256Of(new Uint8Array()), EMPTY);
  assert.equal(sha256Of(''), EMPTY);
  assert.equal(digestHex(EMPTY), EMPTY.slice(7));
  assert.equal(parseDigest(EMPTY), EMPTY);
  assert.equal(isDigest(EMPTY), true);
});

const hex = EMPTY.slice(7);
const invalid: Array<[unknown, RegExp]> = [
  [hex, /algorithm prefix is missing/],
  [`sha512:${hex}${hex}`, /unsupported algorithm "sha512"/],
  [`sha256:${hex.slice(1)}`, /64 hex characters, this one has 63/],
  [`sha256:${hex}0`, /this one has 65/],
  [`sha256:${hex.toUpperCase()}`, /must be lowercase/],
  [`sha256:${hex.slice(0, 63)}g`, /must be hex characters/],
  [`sha256:${hex}\n`, /this one has 65/],
  [`SHA256:${hex}`, /unsupported algorithm "SHA256"/],
  ['sha256:../../../etc/passwd', /this one has 19/],
  [42, /expected a string.*got number/],
  [null, /got null/],
  ['', /algorithm prefix is missing/],
];

for (const [input, message] of invalid) {
  test(`parseDigest rejects ${JSON.stringify(input)}`, () => {
    assert.throws(() => parseDigest(input), (error: unknown) => error instanceof InvalidDigestError && message.test(error.message));
    assert.equal(isDigest(input), false);
  });
}

test('digestHex re-checks a digest forged with a cast', () => {
  assert.throws(() => digestHex('sha256:../x' as Digest), InvalidDigestError);
});
