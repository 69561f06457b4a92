// The two modules the kafkajs-compatibility tests drive through one API:
// kafkajs itself and @kstream/client/kafkajs, and a client of either with
// the short timeouts and retries these tests use.
import * as ours from '@kstream/client/kafkajs';
import * as kafkajs from 'kafkajs';

process.env['KAFKAJS_NO_PARTITIONER_WARNING'] = '1';

/** The part of kafkajs's API the scenarios use, and the module's exports (its error classes). */
export type Lib = { name: 'kafkajs' | 'kstream'; Kafka: new (config: ours.KafkaConfig) => ours.Kafka; errors: typeof ours };

export const KAFKAJS: Lib = { name: 'kafkajs', Kafka: kafkajs.Kafka as unknown as Lib['Kafka'], errors: kafkajs as unknown as typeof ours };
export const KSTREAM: Lib = { name: 'kstream', Kafka: ours.Kafka, errors: ours };
export const LIBS = [KAFKAJS, KSTREAM] as const;

/** A client of `lib` for the node at `bootstrap`: quiet, short timeouts, three retries. */
export function compatKafka(lib: Lib, bootstrap: string): ours.Kafka {
  return new lib.Kafka({
    clientId: `compat-${lib.name}`,
    brokers: bootstrap.split(','),
    logLevel: ours.logLevel.NOTHING,
    connectionTimeout: 3_000,
    requestTimeout: 10_000,
    retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1_000 },
  });
}
