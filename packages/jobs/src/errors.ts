/**
 * A failure no retry can fix: the payload is invalid, the row it names is gone, the input
 * is refused. The job goes straight to the dead-letter queue instead of being retried.
 */
export class PermanentJobError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "PermanentJobError";
  }
}
