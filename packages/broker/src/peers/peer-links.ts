import type { MessagePort } from 'node:worker_threads';
import { CuttableEndpoint, Mailbox } from '@kstream/actor';
import type { ActorMessage, Logger, Transferred } from '@kstream/actor';

/** An ask to a peer broker this broker has no channel to: the peer is not running, or not paired yet. */
export class NoPeerChannelError extends Error {
  override readonly name = 'NoPeerChannelError';

  constructor(
    readonly brokerId: number,
    readonly peerId: number,
    readonly messageType: string,
  ) {
    super(`broker ${brokerId} has no channel to broker ${peerId} for '${messageType}': broker ${peerId} is not running, or the node has not handed the channel over yet`);
  }
}

/**
 * Answered by PeerLinks itself, never by the handler: a round trip that says
 * the channel carries messages both ways (the node's pingLink).
 */
const PEER_PING = 'PeerPing';

/** What a peer asks or tells, and from which broker; the reply may be a TransferringReply (replyWithTransfer). */
export type PeerRequestHandler<Req extends ActorMessage> = (msg: Req, fromBroker: number) => unknown;

/** A peer's channel was (re)established (`connected`), or lost: its worker ended, or the channel was replaced. */
export type PeerChangeListener = (peerId: number, connected: boolean) => void;

export interface PeerAskOptions {
  readonly timeoutMs: number;
  /** Buffers to move to the peer instead of copying them. */
  readonly transfer?: readonly Transferred[];
}

type PeerMailbox = Mailbox<ActorMessage, ActorMessage, Record<string, unknown>>;

interface Link {
  readonly port: MessagePort;
  readonly endpoint: CuttableEndpoint;
  /** Replaced when a cut heals: a new connection over the same channel. */
  mailbox: PeerMailbox;
}

/**
 * This broker's channels to the other brokers of the node: one Mailbox per
 * peer broker, over the MessageChannel the node created for the pair and
 * handed to both (again whenever either worker starts). Generic in what
 * crosses it: `Req` are the messages peers exchange (both ends speak the
 * same union), `Replies` maps each type to its reply. Replication's
 * fetchers ask through `ask`; its leader side answers in `setHandler`.
 *
 * A link can be cut (`setCut`, the node's cutLink): both ways, messages are
 * dropped and asks time out, as over a partitioned network. The cut is kept
 * for the peer across a replaced channel. A heal is a reconnection: what
 * was asked before it fails at once (CLOSED), as requests in flight on a
 * reset connection do, rather than waiting out its timeout for an answer
 * the cut dropped, and listeners hear that the peer is connected again.
 *
 * Not thread-safe; owned by the broker worker's loop.
 */
export class PeerLinks<Req extends ActorMessage = ActorMessage, Replies extends { [K in Req['type']]: unknown } = { [K in Req['type']]: unknown }> {
  readonly #brokerId: number;
  readonly #logger: Logger;
  readonly #links = new Map<number, Link>();
  readonly #cut = new Set<number>();
  readonly #listeners = new Set<PeerChangeListener>();
  #handler: PeerRequestHandler<Req> | undefined;
  /** Resolves with the handler once set: what peers ask before that waits for it (within their own timeouts). */
  readonly #handlerSet: Promise<PeerRequestHandler<Req>>;
  #resolveHandler!: (handler: PeerRequestHandler<Req>) => void;
  #closed = false;

  constructor(brokerId: number, logger: Logger) {
    this.#brokerId = brokerId;
    this.#logger = logger;
    this.#handlerSet = new Promise((resolve) => (this.#resolveHandler = resolve));
  }

  /** The peers this broker has a channel to, in id order. */
  get peerIds(): number[] {
    return [...this.#links.keys()].sort((a, b) => a - b);
  }

  /** The peers whose link is cut, in id order. */
  get cutPeerIds(): number[] {
    return [...this.#cut].sort((a, b) => a - b);
  }

  has(peerId: number): boolean {
    return this.#links.has(peerId);
  }

  /** Uses `port` as the channel to broker `peerId`, closing the one it replaces; listeners hear of it. */
  attach(peerId: number, port: MessagePort): void {
    if (this.#closed) {
      port.close();
      return;
    }
    this.#drop(peerId);
    const endpoint = new CuttableEndpoint(port);
    if (this.#cut.has(peerId)) endpoint.cut();
    const link: Link = { port, endpoint, mailbox: this.#mailbox(peerId, endpoint) };
    this.#links.set(peerId, link);
    // The peer's worker ended (its end of the channel went with it).
    port.once('close', () => {
      if (this.#links.get(peerId) === link) this.#drop(peerId);
    });
    this.#notify(peerId, true);
  }

  /**
   * Asks broker `peerId`. Rejects at once with NoPeerChannelError when there
   * is no channel to it; otherwise as Mailbox.ask does (an ActorError: TIMEOUT,
   * CLOSED when the peer's worker ends meanwhile, the peer handler's error).
   */
  ask<M extends Req>(peerId: number, msg: M, options: PeerAskOptions): Promise<Replies[M['type']]> {
    const link = this.#links.get(peerId);
    if (link === undefined) return Promise.reject(new NoPeerChannelError(this.#brokerId, peerId, msg.type));
    return link.mailbox.ask(msg, options) as Promise<Replies[M['type']]>;
  }

  /** Sends a round trip to broker `peerId` (answered by its PeerLinks, not its handler); resolves with the milliseconds it took. */
  async ping(peerId: number, timeoutMs: number): Promise<number> {
    const link = this.#links.get(peerId);
    if (link === undefined) throw new NoPeerChannelError(this.#brokerId, peerId, PEER_PING);
    const start = performance.now();
    await link.mailbox.ask({ type: PEER_PING }, { timeoutMs });
    return performance.now() - start;
  }

  /**
   * Serves what peers ask and tell. Channels may arrive before the broker
   * has started; what peers send until the handler is set waits for it.
   */
  setHandler(handler: PeerRequestHandler<Req>): void {
    this.#handler = handler;
    this.#resolveHandler(handler);
  }

  /** Calls `listener` whenever a peer's channel is established, replaced or lost; returns the unsubscribe. */
  onPeerChanged(listener: PeerChangeListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Cuts (or heals) the link to broker `peerId`, now and for any channel to it handed over later. */
  setCut(peerId: number, cut: boolean): void {
    if (cut) this.#cut.add(peerId);
    else this.#cut.delete(peerId);
    const link = this.#links.get(peerId);
    if (link === undefined) return;
    if (cut) {
      link.endpoint.cut();
    } else if (link.endpoint.isCut) {
      link.endpoint.heal();
      link.mailbox.close();
      link.mailbox = this.#mailbox(peerId, link.endpoint);
      this.#notify(peerId, true);
    }
  }

  /** Closes every channel (pending asks reject with CLOSED); channels handed over later are closed at once. */
  close(): void {
    this.#closed = true;
    for (const peerId of [...this.#links.keys()]) this.#drop(peerId);
  }

  #mailbox(peerId: number, endpoint: CuttableEndpoint): PeerMailbox {
    return new Mailbox(endpoint, { name: `broker-${peerId}`, logger: this.#logger, handle: (msg: ActorMessage) => this.#serve(msg, peerId) });
  }

  #serve(msg: ActorMessage, fromBroker: number): unknown {
    if (msg.type === PEER_PING) return null;
    if (this.#handler === undefined) return this.#handlerSet.then((handler) => handler(msg as Req, fromBroker));
    return this.#handler(msg as Req, fromBroker);
  }

  #drop(peerId: number): void {
    const link = this.#links.get(peerId);
    if (link === undefined) return;
    this.#links.delete(peerId);
    link.mailbox.close();
    link.port.close();
    this.#notify(peerId, false);
  }

  #notify(peerId: number, connected: boolean): void {
    for (const listener of this.#listeners) {
      try {
        listener(peerId, connected);
      } catch (error) {
        this.#logger.error(`broker ${this.#brokerId}: a listener of broker ${peerId}'s channel failed`, { error });
      }
    }
  }
}
