// The bridge's pure pieces: the handshake verdicts, frame encoding, and the credit rule of an
// outgoing channel (nothing is sent beyond the credit; a grant releases exactly that much).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { creditOf, decodeFrame, encodeCredit, encodeFrame } from '../../../runtime/bridge/channelFrames';
import { checkHandshake } from '../../../runtime/bridge/handshake';
import { ChannelClosedError, OutgoingChannel } from '../../../runtime/bridge/outgoingChannel';
import { FrameKind, MAX_FRAME_PAYLOAD } from '../../../runtime/bridge/protocol';

const listening = { host: '127.0.0.1', port: 4000 };
const token = (t: string) => t === 'secret';

test('handshake: browser origins and foreign hosts get 403 before the token is even looked at', () => {
  assert.deepEqual(checkHandshake({ host: '127.0.0.1:4000', authorization: 'Bearer secret' }, listening, token), { ok: true });
  const page = checkHandshake({ origin: 'https://evil.example', host: '127.0.0.1:4000', authorization: 'Bearer secret' }, listening, token);
  assert.equal(page.ok === false && page.status, 403);
  const rebinding = checkHandshake({ host: 'evil.example:4000', authorization: 'Bearer secret' }, listening, token);
  assert.equal(rebinding.ok === false && rebinding.status, 403);
  const otherPort = checkHandshake({ host: '127.0.0.1:4001', authorization: 'Bearer secret' }, listening, token);
  assert.equal(otherPort.ok === false && otherPort.status, 403);
  const missing = checkHandshake({ host: '127.0.0.1:4000' }, listening, token);
  assert.deepEqual(missing.ok === false && [missing.status, /token file/.test(missing.reason)], [401, true]);
  const wrong = checkHandshake({ host: '127.0.0.1:4000', authorization: 'Bearer nope' }, listening, token);
  assert.equal(wrong.ok === false && wrong.status, 401);
  const basic = checkHandshake({ host: '127.0.0.1:4000', authorization: 'Basic secret' }, listening, token);
  assert.equal(basic.ok === false && basic.status, 401);
});

test('frames round-trip; malformed frames are named', () => {
  const frame = decodeFrame(encodeFrame(7, FrameKind.Stderr, Buffer.from('oops')));
  assert.deepEqual([frame.channel, frame.kind, frame.payload.toString()], [7, FrameKind.Stderr, 'oops']);
  assert.equal(creditOf(decodeFrame(encodeCredit(3, 65536))), 65536);
  assert.throws(() => decodeFrame(Buffer.from([0, 0])), /5-byte header/);
  assert.throws(() => decodeFrame(Buffer.from([0, 0, 0, 1, 99])), /unknown frame kind 99/);
  assert.throws(() => decodeFrame(Buffer.from([0, 0, 0, 1, FrameKind.Credit, 1])), /credit frame carries 4 bytes/);
});

test('an outgoing channel never sends more than its credit, and resumes on a grant', async () => {
  const sent: Buffer[] = [];
  const channel = new OutgoingChannel(1, async (frame) => void sent.push(frame), 100);
  const payloadBytes = () => sent.reduce((n, f) => n + decodeFrame(f).payload.length, 0);
  const writing = channel.write(FrameKind.Stdout, Buffer.alloc(250, 1));
  await new Promise(setImmediate);
  assert.equal(payloadBytes(), 100, 'stops at the window');
  channel.grant(120);
  await new Promise(setImmediate);
  assert.equal(payloadBytes(), 220);
  channel.grant(1000);
  await writing;
  assert.equal(payloadBytes(), 250);

  const big = new OutgoingChannel(2, async (frame) => void sent.push(frame), 10 * MAX_FRAME_PAYLOAD);
  sent.length = 0;
  await big.write(FrameKind.Stdout, Buffer.alloc(MAX_FRAME_PAYLOAD * 2 + 1));
  assert.deepEqual(sent.map((f) => decodeFrame(f).payload.length), [MAX_FRAME_PAYLOAD, MAX_FRAME_PAYLOAD, 1], 'split into frames of at most 64 KiB');

  const starved = new OutgoingChannel(3, async () => undefined, 0);
  const blocked = starved.write(FrameKind.Stdout, Buffer.from('x'));
  starved.close();
  await assert.rejects(blocked, ChannelClosedError);
});
