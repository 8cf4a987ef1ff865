// planRecovery: how a restarted agent's records catch up with what conmon and crun know.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ContainerRunState } from '../../../runtime/container/containerConfig';
import { planRecovery, UNKNOWN_EXIT_CODE } from '../../../runtime/engine/containerRecovery';

const created: ContainerRunState = { status: 'created', pid: 0, exitCode: 0 };
const running: ContainerRunState = { status: 'running', pid: 42, exitCode: 0, startedAt: '2026-12-01T00:00:00Z' };
const exited: ContainerRunState = { status: 'exited', pid: 0, exitCode: 1 };
const finishedAt = new Date('2026-12-01T01:00:00Z');

test('records that agree with the runtime are kept or watched again', () => {
  assert.deepEqual(planRecovery(created, undefined, undefined), { kind: 'keep' });
  assert.deepEqual(planRecovery(exited, undefined, undefined), { kind: 'keep' });
  assert.deepEqual(planRecovery(exited, { status: 'running', pid: 9 }, undefined), { kind: 'keep' }, 'an exited record is final');
  assert.deepEqual(planRecovery(running, { status: 'running', pid: 42 }, undefined), { kind: 'adopt', pid: 42 });
});

test('an exit conmon wrote while no agent watched is recorded with its true code', () => {
  assert.deepEqual(planRecovery(running, { status: 'stopped', pid: 0 }, { exitCode: 3, finishedAt }), { kind: 'exited', exitCode: 3, finishedAt });
  assert.deepEqual(planRecovery(running, undefined, { exitCode: 0, finishedAt }), { kind: 'exited', exitCode: 0, finishedAt });
  // Started just before the agent died, and already over.
  assert.deepEqual(planRecovery(created, { status: 'stopped', pid: 0 }, { exitCode: 7, finishedAt }), { kind: 'exited', exitCode: 7, finishedAt });
});

test('a process started just before the agent died is adopted, not left running unseen', () => {
  assert.deepEqual(planRecovery(created, { status: 'running', pid: 77 }, undefined), { kind: 'adopt', pid: 77 });
  assert.deepEqual(planRecovery(created, { status: 'stopped', pid: 0 }, undefined), { kind: 'adopt', pid: 0 }, 'the exit file follows');
});

test('a runtime container that never got its start is discarded; the record stays created', () => {
  assert.deepEqual(planRecovery(created, { status: 'created', pid: 5 }, undefined), { kind: 'discard-runtime' });
  assert.deepEqual(planRecovery(created, undefined, { exitCode: 1, finishedAt }), { kind: 'keep' }, 'a stale exit file of an earlier run');
});

test('a running container the runtime no longer knows has exited with 255', () => {
  const action = planRecovery(running, undefined, undefined);
  assert.equal(action.kind, 'exited');
  assert.equal(action.kind === 'exited' && action.exitCode, UNKNOWN_EXIT_CODE);
  assert.match(action.kind === 'exited' ? action.error ?? '' : '', /gone when the agent restarted/);
});
