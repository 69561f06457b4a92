import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import type { Logger } from '@kstream/actor';

/**
 * Takes over an accepted connection. The broker passes the Kafka request
 * handling here; the listener only owns accepting and closing.
 */
export type ConnectionHandler = (socket: Socket, connectionId: string) => void;

export interface BrokerListenerOptions {
  readonly brokerId: number;
  readonly host: string;
  /** 0 lets the OS pick a free port; `port` then reports it. */
  readonly port: number;
  readonly onConnection: ConnectionHandler;
  readonly logger: Logger;
}

/**
 * A broker's TCP listener: accepts client connections, hands each to the
 * connection handler and tracks it, so closing the listener also closes every
 * open connection. Owned by the broker worker's event loop.
 */
export class BrokerListener {
  readonly #options: BrokerListenerOptions;
  readonly #server: Server;
  readonly #connections = new Set<Socket>();
  #port: number | undefined;

  constructor(options: BrokerListenerOptions) {
    this.#options = options;
    this.#server = createServer((socket) => this.#accept(socket));
  }

  /** The bound port, once `listen` resolved. */
  get port(): number {
    if (this.#port === undefined) throw new Error(`broker ${this.#options.brokerId}'s listener is not listening`);
    return this.#port;
  }

  get connectionCount(): number {
    return this.#connections.size;
  }

  async listen(): Promise<number> {
    const { host, port, brokerId } = this.#options;
    await new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException) => reject(new Error(`broker ${brokerId} cannot listen on ${host}:${port}: ${err.code ?? err.message}`, { cause: err }));
      this.#server.once('error', onError);
      this.#server.listen({ host, port, exclusive: true }, () => {
        this.#server.off('error', onError);
        resolve();
      });
    });
    this.#port = (this.#server.address() as { port: number }).port;
    return this.#port;
  }

  /** Stops accepting, closes every open connection, and resolves once the server is closed. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const socket of this.#connections) socket.destroy();
    await closed;
  }

  #accept(socket: Socket): void {
    const connectionId = `${socket.remoteAddress}:${socket.remotePort}`;
    this.#connections.add(socket);
    socket.once('close', () => this.#connections.delete(socket));
    // A reset from a client must not become an uncaught error in the broker.
    socket.on('error', (err) => this.#options.logger.warn(`broker ${this.#options.brokerId}: connection ${connectionId} failed`, { error: err }));
    this.#options.onConnection(socket, connectionId);
  }
}
