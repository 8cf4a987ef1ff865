import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalReference, InvalidReferenceError, parseImageReference } from '../../../runtime/store/references';

const HEX = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const DIGEST = `sha256:${HEX}`;

// input → [canonical, familiar]
const valid: Array<[string, string, string]> = [
  ['busybox', 'docker.io/library/busybox:latest', 'busybox:latest'],
  ['busybox:1.36', 'docker.io/library/busybox:1.36', 'busybox:1.36'],
  ['library/busybox', 'docker.io/library/busybox:latest', 'busybox:latest'],
  ['docker.io/busybox', 'docker.io/library/busybox:latest', 'busybox:latest'],
  ['index.docker.io/library/busybox:glibc', 'docker.io/library/busybox:glibc', 'busybox:glibc'],
  ['docker.io/library/busybox:latest', 'docker.io/library/busybox:latest', 'busybox:latest'],
  ['user/app:v1.0_rc-1', 'docker.io/user/app:v1.0_rc-1', 'user/app:v1.0_rc-1'],
  ['library/a/b', 'docker.io/library/a/b:latest', 'library/a/b:latest'],
  ['127.0.0.1:5000/a/b:t', '127.0.0.1:5000/a/b:t', '127.0.0.1:5000/a/b:t'],
  ['localhost/app', 'localhost/app:latest', 'localhost/app:latest'],
  ['localhost:5000/app', 'localhost:5000/app:latest', 'localhost:5000/app:latest'],
  ['localhost:5000', 'docker.io/library/localhost:5000', 'localhost:5000'],
  ['ghcr.io/owner/img_x__y.z--w', 'ghcr.io/owner/img_x__y.z--w:latest', 'ghcr.io/owner/img_x__y.z--w:latest'],
  ['[::1]:5000/app:1', '[::1]:5000/app:1', '[::1]:5000/app:1'],
  ['Registry.Example.com/app', 'Registry.Example.com/app:latest', 'Registry.Example.com/app:latest'],
  ['Foo/bar', 'Foo/bar:latest', 'Foo/bar:latest'],
  [`busybox@${DIGEST}`, `docker.io/library/busybox@${DIGEST}`, `busybox@${DIGEST}`],
  [`busybox:1.36@${DIGEST}`, `docker.io/library/busybox:1.36@${DIGEST}`, `busybox:1.36@${DIGEST}`],
  [`a:${'x'.repeat(128)}`, `docker.io/library/a:${'x'.repeat(128)}`, `a:${'x'.repeat(128)}`],
];

for (const [input, canonical, familiar] of valid) {
  test(`reference ${input}`, () => {
    const ref = parseImageReference(input);
    assert.equal(ref.canonical, canonical);
    assert.equal(ref.familiar, familiar);
    assert.equal(canonicalReference(canonical), canonical, 'canonical form is a fixed point');
    assert.equal(parseImageReference(familiar).canonical, canonical, 'familiar form reads back');
  });
}

test('reference parts', () => {
  assert.deepEqual(parseImageReference('127.0.0.1:5000/a/b:t'), {
    domain: '127.0.0.1:5000',
    path: 'a/b',
    repository: '127.0.0.1:5000/a/b',
    tag: 't',
    canonical: '127.0.0.1:5000/a/b:t',
    familiar: '127.0.0.1:5000/a/b:t',
  });
  const byDigest = parseImageReference(`busybox@${DIGEST}`);
  assert.equal(byDigest.tag, undefined, 'a digest reference gets no default tag');
  assert.equal(byDigest.digest, DIGEST);
});

const invalid: Array<[string, RegExp]> = [
  ['', /it is empty/],
  ['Busybox', /repository name "library\/Busybox" must be lowercase/],
  ['docker.io/User/app', /must be lowercase/],
  ['busybox:', /the tag after ":" is empty/],
  ['busybox:-x', /tag "-x" is not valid/],
  ['busybox:.x', /tag ".x" is not valid/],
  [`busybox:${'x'.repeat(129)}`, /is not valid: up to 128/],
  ['busybox:a+b', /tag "a\+b" is not valid/],
  [':latest', /repository name is empty/],
  ['a//b', /empty path component/],
  ['a/b/', /empty path component/],
  ['-a', /path component "-a" is not valid/],
  ['a_', /path component "a_" is not valid/],
  ['a___b', /path component "a___b" is not valid/],
  ['a..b', /path component "a..b" is not valid/],
  ['a b', /path component "a b" is not valid/],
  [HEX, /64-character hex string is an image ID/],
  ['busybox@', /nothing follows "@"/],
  ['busybox@sha256:abc', /64 hex characters, this one has 3/],
  [`busybox@sha512:${HEX}${HEX}`, /unsupported algorithm "sha512"/],
  [`busybox@${DIGEST.toUpperCase().replace('SHA256', 'sha256')}`, /must be lowercase/],
  ['localhost:abc/app', /registry "localhost:abc" is not a valid host/],
  ['-bad.com/app', /registry "-bad.com" is not a valid host/],
  ['bad_host.com/app', /registry "bad_host.com" is not a valid host/],
  [`example.com/${'a'.repeat(250)}`, /262 characters; at most 255/],
];

for (const [input, message] of invalid) {
  test(`invalid reference ${JSON.stringify(input.length > 40 ? `${input.slice(0, 40)}...` : input)}`, () => {
    assert.throws(
      () => parseImageReference(input),
      (error: unknown) => error instanceof InvalidReferenceError && error.message.startsWith(`invalid image reference ${JSON.stringify(input)}: `) && message.test(error.message),
    );
  });
}
