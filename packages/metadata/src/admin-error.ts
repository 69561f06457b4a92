/** A per-resource failure: Kafka's error code and a message naming what to fix. */
export class AdminError extends Error {
  override readonly name = 'AdminError';

  constructor(
    readonly errorCode: number,
    message: string,
  ) {
    super(message);
  }
}
