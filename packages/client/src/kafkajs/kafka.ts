import { KafkaJSAdmin } from './admin.js';
import { ClientContext } from './client-context.js';
import { validateKafkaConfig, type KafkaConfig, type RetryOptions } from './config.js';
import { KafkaJSConsumer } from './consumer.js';
import { createLogger, type Logger } from './logger.js';
import { KafkaJSProducer } from './producer.js';
import type { Admin } from './types-admin.js';
import type { Consumer, ConsumerConfig } from './types-consumer.js';
import type { Producer, ProducerConfig } from './types-producer.js';

export interface AdminConfig {
  retry?: RetryOptions;
}

/**
 * kafkajs's entry point: `new Kafka({ clientId, brokers })` and its
 * producer(), consumer() and admin(), on @kstream/client. TLS, SASL and
 * custom sockets are refused at construction (see validateKafkaConfig).
 */
export class Kafka {
  readonly #context: ClientContext;

  constructor(config: KafkaConfig) {
    validateKafkaConfig(config);
    this.#context = new ClientContext(config, createLogger({ level: config.logLevel, logCreator: config.logCreator }));
  }

  producer(config?: ProducerConfig): Producer {
    return new KafkaJSProducer(this.#context, config);
  }

  consumer(config: ConsumerConfig): Consumer {
    return new KafkaJSConsumer(this.#context, config);
  }

  admin(config?: AdminConfig): Admin {
    return new KafkaJSAdmin(this.#context, config);
  }

  logger(): Logger {
    return this.#context.logger;
  }
}
