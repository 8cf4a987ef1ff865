// The Docker-API mapping as data: routing, version checks, query validation, event JSON and
// reference filters, without a process or a socket.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError, toApiError } from '../../../runtime/api/apiError';
import { splitVersion } from '../../../runtime/api/apiVersion';
import { matchesReference } from '../../../runtime/api/dockerImageJson';
import { dockerEventJson, eventMatches, parseTimestamp } from '../../../runtime/api/eventHandlers';
import { QueryParams } from '../../../runtime/api/queryParams';
import { Router } from '../../../runtime/api/router';
import { EngineError } from '../../../runtime/engine/engineError';
import { EngineEvents } from '../../../runtime/engine/events';
import { ImageError } from '../../../runtime/image/imageError';

test('the router matches image names with slashes and colons as suffixes', () => {
  const router = new Router<string>().add('GET', '/images/json', 'list').add('GET', '/images/{name}/json', 'inspect').add('DELETE', '/images/{name}', 'rmi').add('GET', '/_ping', 'ping');
  assert.deepEqual(router.match('GET', '/images/json'), { handler: 'list', params: {} });
  assert.deepEqual(router.match('GET', '/images/127.0.0.1:5000/a/b/json'), { handler: 'inspect', params: { name: '127.0.0.1:5000/a/b' } });
  assert.deepEqual(router.match('DELETE', '/images/me/bb:1'), { handler: 'rmi', params: { name: 'me/bb:1' } });
  assert.deepEqual(router.match('GET', '/images/a%20b/json')?.params, { name: 'a b' });
  assert.equal(router.match('HEAD', '/_ping')?.handler, 'ping');
  assert.equal(router.match('POST', '/images/json'), undefined);
  assert.throws(() => router.match('GET', '/images/%zz/json'), URIError);
});

test('versioned paths are stripped and checked', () => {
  assert.deepEqual(splitVersion('/v1.41/images/json'), { path: '/images/json', version: '1.41' });
  assert.deepEqual(splitVersion('/v1.24/_ping'), { path: '/_ping', version: '1.24' });
  assert.deepEqual(splitVersion('/images/json'), { path: '/images/json', version: '1.41' });
  assert.throws(() => splitVersion('/v1.42/version'), (e: ApiError) => e.status === 400 && /too new/.test(e.message));
  assert.throws(() => splitVersion('/v1.9/version'), (e: ApiError) => e.status === 400 && /too old/.test(e.message));
  assert.throws(() => splitVersion('/vX/version'), (e: ApiError) => e.status === 400);
});

test('query parameters are validated with messages that name them', () => {
  const q = new QueryParams(new URLSearchParams('all=1&force=false&bad=maybe&filters=' + encodeURIComponent('{"reference":{"busybox":true,"x":false},"dangling":["true"]}')));
  assert.equal(q.bool('all'), true);
  assert.equal(q.bool('force'), false);
  assert.equal(q.bool('absent', true), true);
  assert.throws(() => q.bool('bad'), /"bad" must be a boolean/);
  assert.deepEqual([...q.filters(['reference', 'dangling'])], [['reference', ['busybox']], ['dangling', ['true']]]);
  assert.throws(() => q.filters(['reference']), /invalid filter 'dangling'/);
  assert.throws(() => new QueryParams(new URLSearchParams('filters=nope')).filters([]), /must be a JSON object/);
  assert.throws(() => q.required('repo'), /"repo" is required/);
});

test('errors map to Docker statuses and messages', () => {
  assert.deepEqual(pick(toApiError(new ImageError('not-found', 'x'), 'busybox')), [404, 'No such image: busybox:latest']);
  assert.deepEqual(pick(toApiError(new ImageError('invalid-archive', 'bad tar'))), [400, 'bad tar']);
  assert.deepEqual(pick(toApiError(new EngineError('conflict', 'in use'))), [409, 'in use']);
  assert.deepEqual(pick(toApiError(new Error('boom'))), [500, 'boom']);
});

function pick(error: ApiError): [number, string] {
  return [error.status, error.message];
}

test('events: Docker JSON with an exact timeNano, filters and since replay', () => {
  let now = 1_700_000_000_123_456_789n;
  const events = new EngineEvents(2, () => now++);
  const first = events.emit({ type: 'image', action: 'tag', id: 'sha256:abc', attributes: { name: 'me/bb:1' } });
  assert.equal(
    dockerEventJson(first),
    '{"status":"tag","id":"sha256:abc","Type":"image","Action":"tag","Actor":{"ID":"sha256:abc","Attributes":{"name":"me/bb:1"}},"scope":"local","time":1700000000,"timeNano":1700000000123456789}',
  );
  events.emit({ type: 'image', action: 'untag', id: 'sha256:abc', attributes: { name: 'me/bb:1' } });
  events.emit({ type: 'image', action: 'delete', id: 'sha256:abc', attributes: { name: 'sha256:abc' } });
  assert.deepEqual(events.since(0n).map((e) => e.action), ['untag', 'delete'], 'only the last two are kept');
  assert.equal(parseTimestamp('since', '1700000000.5'), 1_700_000_000_500_000_000n);
  assert.throws(() => parseTimestamp('since', '10m'), /unix timestamp/);
  const filters = new Map([['event', ['tag']], ['image', ['me/bb:1']]]);
  assert.equal(eventMatches(first, filters), true);
  assert.equal(eventMatches({ ...first, action: 'untag' }, filters), false);
});

test('reference filters glob like Docker: within a component, against name:tag and name', () => {
  assert.equal(matchesReference('busy*', ['busybox:latest']), true);
  assert.equal(matchesReference('busybox:l*', ['busybox:latest']), true);
  assert.equal(matchesReference('*', ['me/bb:1']), false, '* does not cross a slash');
  assert.equal(matchesReference('me/*', ['me/bb:1']), true);
  assert.equal(matchesReference('b[a-u]sybox', ['busybox:latest']), true);
});
