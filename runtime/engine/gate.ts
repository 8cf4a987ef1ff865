// Keeps garbage collection away from writes in progress: loads, imports and saves hold the gate
// shared (any number at once); a collection holds it exclusively, so it never sweeps the blobs
// of an image that is still being written, nor one a save is still streaming.

export class GcGate {
  private shared = 0;
  private exclusive: Promise<void> | undefined;
  private waiters: (() => void)[] = [];

  /** Holds the gate shared until the returned function is called (once; later calls do nothing). */
  async acquireShared(): Promise<() => void> {
    while (this.exclusive !== undefined) await this.exclusive;
    this.shared++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.shared--;
      if (this.shared === 0) for (const wake of this.waiters.splice(0)) wake();
    };
  }

  /** Runs `work` while no collection runs. */
  async withShared<T>(work: () => Promise<T>): Promise<T> {
    const release = await this.acquireShared();
    try {
      return await work();
    } finally {
      release();
    }
  }

  /** Runs `work` alone: waits for shared holders to finish and keeps new ones out meanwhile. */
  async withExclusive<T>(work: () => Promise<T>): Promise<T> {
    while (this.exclusive !== undefined) await this.exclusive;
    let release!: () => void;
    this.exclusive = new Promise<void>((resolve) => (release = resolve));
    try {
      while (this.shared > 0) await new Promise<void>((resolve) => this.waiters.push(resolve));
      return await work();
    } finally {
      this.exclusive = undefined;
      release();
    }
  }
}
