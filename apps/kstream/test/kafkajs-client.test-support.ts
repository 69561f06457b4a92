// The kafkajs client every compatibility test uses, in the test process or a
// child process of its own (a group member that is killed).
import { Kafka, logLevel } from 'kafkajs';

// kafkajs 2 prints a notice about its v1 partitioner on every producer; the default (murmur2) is the one under test.
process.env['KAFKAJS_NO_PARTITIONER_WARNING'] = '1';

/** A kafkajs client of `bootstrap` (`host:port,...`) with short retries, so a broker bug fails a test instead of stalling it. */
export function kafkaClient(bootstrap: string, clientId = 'kstream-compat'): Kafka {
  return new Kafka({
    clientId,
    brokers: bootstrap.split(','),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3_000,
    requestTimeout: 10_000,
    retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1_000 },
  });
}
