// Errors of the engine's own rules (not of the store or the archives): a conflict, a bad
// argument, something not supported. `code` lets a front end choose a status; the message is
// for the user.

export type EngineErrorCode = 'not-found' | 'invalid-argument' | 'conflict' | 'unsupported';

export class EngineError extends Error {
  constructor(
    readonly code: EngineErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}
