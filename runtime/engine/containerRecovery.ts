// What a starting agent does with each container record, given what the runtime says about it.
// The agent can die at any moment (kill -9, OOM, a crash), so a record may trail reality: the
// agent may have died after crun started a process but before the record said "running", or a
// running container may have ended while no agent watched. conmon and crun keep the truth; this
// decides how the record catches up. Pure, so every case is a unit test.
import type { ContainerRunState } from '../container/containerConfig';
import type { ExitInfo, RuntimeState } from '../container/conmonRuntime';

export type RecoveryAction =
  /** Nothing to do: the record is right and nothing runs. */
  | { kind: 'keep' }
  /** A process runs (or ran): watch it as if this agent had started it. */
  | { kind: 'adopt'; pid: number }
  /** It ended while no agent watched: record this exit. */
  | { kind: 'exited'; exitCode: number; finishedAt: Date; error?: string }
  /** The runtime holds a container that was never started (the agent died during start): drop it so a later start begins clean. */
  | { kind: 'discard-runtime' };

/** Docker's exit code for a container whose end nobody saw. */
export const UNKNOWN_EXIT_CODE = 255;

export function planRecovery(state: ContainerRunState, runtime: RuntimeState | undefined, exit: ExitInfo | undefined): RecoveryAction {
  if (state.status !== 'running' && state.status !== 'created') return { kind: 'keep' };
  // conmon wrote the exit code: the process is over, whatever the record says.
  if (exit !== undefined) {
    if (state.status === 'created' && runtime === undefined) return { kind: 'keep' }; // a stale exit of an earlier run
    return { kind: 'exited', exitCode: exit.exitCode, finishedAt: exit.finishedAt };
  }
  if (runtime === undefined) {
    if (state.status === 'created') return { kind: 'keep' };
    // The runtime forgot it (host reboot, state dir wiped): it is not running any more.
    return { kind: 'exited', exitCode: UNKNOWN_EXIT_CODE, finishedAt: new Date(), error: 'the container was gone when the agent restarted (was the host rebooted?)' };
  }
  switch (runtime.status) {
    case 'running':
    case 'paused':
      return { kind: 'adopt', pid: runtime.pid };
    case 'created':
      // Still waiting for `crun start`, which the dead agent never sent.
      return state.status === 'created' ? { kind: 'discard-runtime' } : { kind: 'adopt', pid: runtime.pid };
    case 'stopped':
    case 'unknown':
      // Ended, and conmon is about to write the exit file: the exit watch will see it.
      return { kind: 'adopt', pid: 0 };
  }
}
