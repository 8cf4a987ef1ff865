// The one error type of the build core: what is wrong, on which Dockerfile line, and (in the
// message) what to do. `line` is 1-based; 0 when the problem is not tied to a line (a
// --target that names no stage, a malformed --build-arg).
export class BuildError extends Error {
  constructor(readonly line: number, message: string) {
    super(line > 0 ? `Dockerfile line ${line}: ${message}` : message);
    this.name = 'BuildError';
  }
}
