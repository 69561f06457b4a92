import type { ClientOptions } from '../options/index.js';
import { clientOptionsFor, resolveBrokers, type KafkaConfig, type RetryOptions } from './config.js';
import type { Logger } from './logger.js';

/** What a producer, consumer or admin made by one `Kafka` shares with it. */
export class ClientContext {
  readonly config: KafkaConfig;
  readonly logger: Logger;

  constructor(config: KafkaConfig, logger: Logger) {
    this.config = config;
    this.logger = logger;
  }

  /**
   * The client options for one producer/consumer/admin, resolved on its
   * connect(): kafkajs calls a brokers function then, so a discovery
   * service can move the bootstrap list between connects.
   */
  async clientOptions(logger: Logger, retry: RetryOptions | undefined, extra: { maxInFlightRequests?: number | null; metadataMaxAge?: number } = {}): Promise<ClientOptions> {
    const bootstrap = await resolveBrokers(this.config.brokers);
    return clientOptionsFor(this.config, bootstrap, logger, retry, extra);
  }
}
