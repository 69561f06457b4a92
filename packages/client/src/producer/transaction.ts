import { KafkaClientError } from '../errors/index.js';
import type { ProducerRecord, RecordMetadata } from './producer-record.js';
import type { TransactionManager } from './transaction-manager.js';
import type { TransactionGroupMetadata, TransactionOffset } from './transaction-offsets.js';

/** What sendOffsets takes: the group's next offsets, and the consumer (for its generation and member id) when there is one. */
export interface SendOffsetsOptions {
  groupId: string;
  offsets: readonly TransactionOffset[];
  /** The consumer whose records the transaction processed: a zombie of an older generation is then fenced by the group coordinator. */
  consumer?: { groupMetadata(): (TransactionGroupMetadata & { groupId: string }) | null };
}

/** How a Transaction sends: the producer's send, tied to the transaction's generation. */
export type TransactionalSend<K, V> = (records: readonly ProducerRecord<K, V>[], single: boolean, generation: number) => Promise<RecordMetadata | RecordMetadata[]>;

/**
 * One transaction of a transactional producer (from producer.transaction()):
 * its sends and consumer offsets are committed together, or dropped
 * together. Any send or sendOffsets that fails leaves it needing abort().
 * Once it is committed or aborted every call rejects with
 * KafkaTransactionStateError; the producer may begin the next one.
 */
export class Transaction<K = Buffer, V = Buffer> {
  readonly #manager: TransactionManager;
  /** Which of the producer's transactions this is (1 for the first). */
  readonly #generation: number;
  readonly #send: TransactionalSend<K, V>;

  /** Made by producer.transaction(). */
  constructor(manager: TransactionManager, generation: number, send: TransactionalSend<K, V>) {
    this.#manager = manager;
    this.#generation = generation;
    this.#send = send;
  }

  /** As producer.send, within the transaction: resolves once the records are acknowledged (not yet committed). */
  send(record: ProducerRecord<K, V>): Promise<RecordMetadata>;
  send(records: readonly ProducerRecord<K, V>[]): Promise<RecordMetadata[]>;
  send(input: ProducerRecord<K, V> | readonly ProducerRecord<K, V>[]): Promise<RecordMetadata | RecordMetadata[]> {
    try {
      this.#manager.checkSend(this.#generation);
    } catch (error) {
      return Promise.reject(error);
    }
    const single = !Array.isArray(input);
    const sent = this.#send(single ? [input as ProducerRecord<K, V>] : (input as readonly ProducerRecord<K, V>[]), single, this.#generation);
    // Some of the records may be appended already: committing the rest would write part of the call.
    sent.catch((error: unknown) => {
      if (this.#manager.generation === this.#generation) this.#manager.failed(error);
    });
    return sent;
  }

  /** Commits the group's offsets with the transaction (AddOffsetsToTxn, then TxnOffsetCommit to the group coordinator). */
  async sendOffsets(options: SendOffsetsOptions): Promise<void> {
    const { groupId, offsets, consumer } = options;
    const member = consumer?.groupMetadata() ?? null;
    if (member !== null && member.groupId !== groupId) {
      throw new KafkaClientError(`sendOffsets for group ${groupId} was given a consumer of group ${member.groupId}`, { retriable: false });
    }
    for (const { topic, partition, offset } of offsets) {
      if (typeof offset !== 'bigint' || offset < 0n || !Number.isInteger(partition) || partition < 0) {
        throw new KafkaClientError(`sendOffsets for group ${groupId}: ${topic}-${partition} at ${String(offset)} is not a partition and an offset (a bigint >= 0)`, {
          retriable: false,
        });
      }
    }
    const metadata = member === null ? null : { generationId: member.generationId, memberId: member.memberId, groupInstanceId: member.groupInstanceId };
    await this.#manager.sendOffsets(this.#generation, groupId, offsets, metadata);
  }

  /** Waits for every send of the transaction, then commits it. Rejects with the failure of a send (abort() then) or a fencing (close the producer). */
  commit(): Promise<void> {
    return this.#manager.commit(this.#generation);
  }

  /** Drops what is not sent yet (those sends reject with KafkaTransactionAbortedError), waits for what is in flight, then aborts. */
  abort(): Promise<void> {
    return this.#manager.abort(this.#generation);
  }

  /** True until the transaction is committed or aborted (or the producer is fenced). */
  isActive(): boolean {
    return this.#manager.isActive(this.#generation);
  }
}
