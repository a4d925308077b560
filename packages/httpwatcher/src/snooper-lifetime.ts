import { SnooperError } from './snooper-error.js';

/**
 * Whether a Snooper still runs. Its parts check it after every await, so that a close() that
 * happened meanwhile wins over whatever they were about to do.
 */
export class SnooperLifetime {
  /** close() was called. */
  closing = false;
  /** close() has released the tracer: nothing may touch it any more. */
  closed = false;

  assertOpen(): void {
    if (this.closed || this.closing)
      throw new SnooperError('CLOSED', 'the Snooper is closed; create a new one with Snooper.init()');
  }
}
