// A listener serving Kafka connections with a chosen handler registry and a
// broker whose services are real but idle (an empty metadata cache, a
// controller channel the test answers or nobody does, no hosted partitions):
// for tests of the network layer and of handlers' failure paths.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { Mailbox } from '@kstream/actor';
import type { Logger } from '@kstream/actor';
import { packAdminReply } from '@kstream/metadata';
import type { ControllerRequest } from '@kstream/metadata';
import { BrokerListener } from '../broker-listener.js';
import type { BrokerServices } from '../handlers/handler.js';
import type { HandlerRegistry } from '../handlers/registry.js';
import type { ControllerChannel } from '../messages.js';
import { BrokerMetadata } from '../metadata/broker-metadata.js';
import { ReplicaManager } from '../partitions/replica-manager.js';
import { PeerLinks } from '../peers/peer-links.js';
import { ClientConnection } from './client-connection.js';
import { FrameBufferPool } from './frame-buffer-pool.js';
import { RequestMemoryPool } from './request-memory-pool.js';
import { startBrokerGroupCoordinator } from '../groups/broker-group-coordinator.js';
import { testTransactionServices } from '../txn/transaction-services.test-support.js';

/** A logger that keeps every line, so tests can check what was logged. */
export function recordingLogger(): Logger & { readonly lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (msg) => void lines.push(`INFO ${msg}`),
    warn: (msg) => void lines.push(`WARN ${msg}`),
    error: (msg) => void lines.push(`ERROR ${msg}`),
  };
}

export interface TestListener {
  readonly port: number;
  readonly logger: ReturnType<typeof recordingLogger>;
  /** The listener's budget for requests being read. */
  readonly requestMemory: RequestMemoryPool;
  /** The listener's reused buffers for large Produce frames. */
  readonly frameBuffers: FrameBufferPool;
  close(): Promise<void>;
}

export interface TestListenerOptions {
  readonly maxRequestBytes?: number;
  readonly idleTimeoutMs?: number;
  /** queued.max.request.bytes; unbounded by default. */
  readonly queuedMaxRequestBytes?: number;
  readonly arrivalTimeoutMs?: number;
  /** Plays the controller: answers what the broker asks it. Without it, asks go unanswered. */
  readonly controller?: (msg: ControllerRequest) => unknown;
}

export async function startTestListener(handlers: HandlerRegistry, options: TestListenerOptions = {}): Promise<TestListener> {
  const logger = recordingLogger();
  const { port1, port2 } = new MessageChannel();
  const controller: ControllerChannel = new Mailbox(port1, { name: 'controller', logger });
  const controllerEnd = new Mailbox<ControllerRequest>(port2, {
    name: 'broker-1',
    logger,
    // A broker's channel carries admin replies packed, as the controller sends them.
    ...(options.controller === undefined ? {} : { handle: async (msg: ControllerRequest) => packAdminReply((await options.controller!(msg)) as object) }),
  });
  const metadata = new BrokerMetadata(1, {});
  const logDir = await mkdtemp(join(tmpdir(), 'kstream-network-'));
  const partitions = await ReplicaManager.open({ brokerId: 1, logDir, logger });
  const groups = startBrokerGroupCoordinator({ brokerId: 1, metadata, partitions, logger });
  const peers = new PeerLinks(1, logger);
  const broker: BrokerServices = {
    brokerId: 1,
    config: metadata.brokerConfig,
    metadata,
    controller,
    partitions,
    peers,
    groups,
    ...testTransactionServices({ brokerId: 1, metadata, partitions, peers, logger }),
    logger,
  };
  const requestMemory = new RequestMemoryPool(options.queuedMaxRequestBytes ?? -1);
  const frameBuffers = new FrameBufferPool(16 * 1024 * 1024);
  const listener = new BrokerListener({
    brokerId: 1,
    host: '127.0.0.1',
    port: 0,
    logger,
    onConnection: (socket, connectionId) =>
      new ClientConnection({
        socket,
        connectionId,
        broker,
        handlers,
        maxRequestBytes: options.maxRequestBytes ?? 1024 * 1024,
        idleTimeoutMs: options.idleTimeoutMs ?? 60_000,
        requestMemory,
        arrivalTimeoutMs: options.arrivalTimeoutMs ?? 60_000,
        frameBuffers,
      }),
  });
  const port = await listener.listen();
  return {
    port,
    logger,
    requestMemory,
    frameBuffers,
    async close() {
      await listener.close();
      controller.close();
      controllerEnd.close();
      groups.close();
      await partitions.close();
      await rm(logDir, { recursive: true, force: true });
    },
  };
}
