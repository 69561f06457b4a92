import { KafkaClientError } from '../errors/index.js';

/** An error from a request as a KafkaClientError: anything else (a bug, a decoding failure) is not retriable. */
export function clientErrorOf(error: unknown): KafkaClientError {
  return error instanceof KafkaClientError ? error : new KafkaClientError(String((error as Error)?.message ?? error), { retriable: false, cause: error });
}
