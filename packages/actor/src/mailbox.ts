import type { ActorMessage, Reply } from './actor-message.js';
import { UnknownMessageError } from './actor-message.js';
import { ActorError, isActorErrorCode } from './actor-error.js';
import type { ActorErrorCode } from './actor-error.js';
import { decodeFrame, encodeFrame } from './codec.js';
import type { EncodedFrame, Transferred } from './codec.js';
import type { Endpoint } from './endpoint.js';
import { stderrLogger } from './logger.js';
import type { Logger } from './logger.js';
import { askEnvelope, readEnvelope, replyEnvelope, tellEnvelope } from './mailbox-envelope.js';
import type { Envelope } from './mailbox-envelope.js';
import { TransferringReply } from './mailbox-transfer.js';

const DEFAULT_TIMEOUT_MS = 30_000;
// Node's timers hold at most a signed 32-bit number of milliseconds.
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export interface MailboxOptions<In extends ActorMessage> {
  /** The actor at the other end of the port ('broker-1', 'controller'), as errors and log lines name it. */
  readonly name: string;
  /**
   * This side's actor, called once per arriving message in arrival order. For
   * an ask, what it returns (or the promise's value) is the reply, and what it
   * throws is answered as HANDLER_ERROR. Messages are checked only for a string
   * `type`; their fields are trusted to match `In`.
   */
  readonly handle?: (msg: In) => unknown | Promise<unknown>;
  /** The timeout of an ask that names none; 30 s unless set. */
  readonly defaultTimeoutMs?: number;
  readonly logger?: Logger;
}

export interface AskOptions {
  readonly timeoutMs?: number;
  /** Buffers (or ports) to move to the peer with the message instead of copying them. */
  readonly transfer?: readonly Transferred[];
}

export interface TellOptions {
  readonly transfer?: readonly Transferred[];
}

interface PendingAsk {
  readonly type: string;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: ActorError) => void;
  readonly timer: NodeJS.Timeout;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

function checkTimeout(ms: number, what: string): void {
  if (!(ms > 0 && ms <= MAX_TIMEOUT_MS)) {
    throw new RangeError(`${what} must be between 1 and ${MAX_TIMEOUT_MS} ms, got ${ms}`);
  }
}

/**
 * One end of a channel between two actors, bound to a MessagePort, a Worker or
 * parentPort. It sends `Out` messages, by `ask` (one reply, with a timeout) or
 * `tell` (none), and passes arriving `In` messages to `handle`. Both ends are
 * Mailboxes, so either side can ask the other. `Replies` maps each `Out` type
 * to the value its reply carries.
 *
 * Not thread-safe, like everything bound to a port: owned by the thread that
 * created it.
 */
export class Mailbox<In extends ActorMessage, Out extends ActorMessage = never, Replies extends { [K in Out['type']]: unknown } = { [K in Out['type']]: unknown }> {
  readonly name: string;
  readonly #port: Endpoint;
  readonly #handle: ((msg: In) => unknown) | undefined;
  readonly #defaultTimeoutMs: number;
  readonly #logger: Logger;
  readonly #pending = new Map<number, PendingAsk>();
  #nextId = 1;
  /** Why the mailbox no longer sends or receives, once that is so. */
  #closedBecause: string | null = null;

  constructor(port: Endpoint, options: MailboxOptions<In>) {
    this.name = options.name;
    this.#port = port;
    this.#handle = options.handle;
    this.#defaultTimeoutMs = options.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#logger = options.logger ?? stderrLogger;
    checkTimeout(this.#defaultTimeoutMs, `defaultTimeoutMs of mailbox '${this.name}'`);
    port.on('message', this.#onMessage);
    port.on('messageerror', this.#onMessageError);
    port.on('close', this.#onPortClose);
    port.on('exit', this.#onWorkerExit);
  }

  get closed(): boolean {
    return this.#closedBecause !== null;
  }

  /**
   * Sends `msg` and resolves with the peer's reply. Rejects with an ActorError:
   * TIMEOUT when no reply came within the timeout, CLOSED when the mailbox or
   * its port closed first, MALFORMED when `msg` could not be encoded (or the
   * peer could not read it), and the peer's HANDLER_ERROR or UNKNOWN_MESSAGE.
   */
  ask<M extends Out>(msg: M, options: AskOptions = {}): Promise<Replies[M['type']]> {
    const type = msg.type;
    if (this.#closedBecause !== null) {
      return Promise.reject(this.#error('CLOSED', type, `cannot ask actor '${this.name}' for '${type}': ${this.#closedBecause}`));
    }
    const timeoutMs = options.timeoutMs ?? this.#defaultTimeoutMs;
    try {
      checkTimeout(timeoutMs, `timeoutMs of '${type}' to actor '${this.name}'`);
    } catch (error) {
      return Promise.reject(error);
    }
    const id = this.#nextId++;
    let frame: EncodedFrame;
    try {
      frame = encodeFrame(askEnvelope(id, msg), options.transfer);
    } catch (cause) {
      return Promise.reject(this.#unsendable(type, cause));
    }
    return new Promise<Replies[M['type']]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(this.#error('TIMEOUT', type, `actor '${this.name}' did not answer '${type}' within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, { type, resolve: resolve as (value: unknown) => void, reject, timer });
      try {
        this.#port.postMessage(frame.data, frame.transferList);
      } catch (cause) {
        clearTimeout(timer);
        this.#pending.delete(id);
        reject(this.#unsendable(type, cause));
      }
    });
  }

  /** Sends `msg` with no reply. Throws an ActorError when closed (CLOSED) or when `msg` cannot be sent (MALFORMED). */
  tell(msg: Out, options: TellOptions = {}): void {
    const type = msg.type;
    if (this.#closedBecause !== null) {
      throw this.#error('CLOSED', type, `cannot tell actor '${this.name}' '${type}': ${this.#closedBecause}`);
    }
    try {
      const frame = encodeFrame(tellEnvelope(msg), options.transfer);
      this.#port.postMessage(frame.data, frame.transferList);
    } catch (cause) {
      throw this.#unsendable(type, cause);
    }
  }

  /** Stops sending and receiving; pending asks reject with CLOSED. The port itself is left open. */
  close(): void {
    this.#shutDown('the mailbox was closed');
  }

  readonly #onMessage = (data: unknown): void => {
    let envelope: Envelope;
    try {
      envelope = readEnvelope(decodeFrame(data));
    } catch (error) {
      // Without the envelope there is no id to answer; an ask in it times out.
      this.#logger.warn(`dropped an unreadable frame from actor '${this.name}'`, { actor: this.name, error });
      return;
    }
    switch (envelope.kind) {
      case 'ask':
        return this.#serve(envelope.id, envelope.message);
      case 'tell':
        return this.#deliver(envelope.message);
      case 'reply':
        return this.#settle(envelope.id, envelope.reply);
      case 'malformed':
        return this.#refuse(envelope);
    }
  };

  readonly #onMessageError = (error: unknown): void => {
    this.#logger.warn(`dropped a message from actor '${this.name}' that could not be deserialized`, { actor: this.name, error });
  };

  readonly #onPortClose = (): void => this.#shutDown('the port was closed');

  readonly #onWorkerExit = (exitCode: unknown): void => this.#shutDown(`the worker exited with code ${String(exitCode)}`);

  #serve(id: number, message: ActorMessage): void {
    const type = message.type;
    if (this.#handle === undefined) {
      this.#answer(id, type, { ok: false, error: { code: 'UNKNOWN_MESSAGE', message: `this side of '${this.name}' takes no messages` } });
      return;
    }
    let result: unknown;
    try {
      result = this.#handle(message as In);
    } catch (error) {
      this.#answerFailure(id, type, error);
      return;
    }
    if (isThenable(result)) {
      result.then(
        (value) => this.#answerValue(id, type, value),
        (error: unknown) => this.#answerFailure(id, type, error),
      );
    } else {
      this.#answerValue(id, type, result);
    }
  }

  #deliver(message: ActorMessage): void {
    const type = message.type;
    if (this.#handle === undefined) {
      this.#logger.warn(`dropped '${type}' told by actor '${this.name}': this side takes no messages`, { actor: this.name });
      return;
    }
    try {
      const result = this.#handle(message as In);
      if (isThenable(result)) result.then(undefined, (error: unknown) => this.#toldFailed(type, error));
    } catch (error) {
      this.#toldFailed(type, error);
    }
  }

  #toldFailed(type: string, error: unknown): void {
    if (error instanceof UnknownMessageError) {
      this.#logger.warn(`dropped '${type}' told by actor '${this.name}': no handler for that type`, { actor: this.name });
    } else {
      this.#logger.error(`handler failed on '${type}' told by actor '${this.name}'`, { actor: this.name, messageType: type, error });
    }
  }

  #answerValue(id: number, type: string, result: unknown): void {
    if (result instanceof TransferringReply) {
      this.#answer(id, type, { ok: true, value: result.value }, result.transfer);
    } else {
      this.#answer(id, type, { ok: true, value: result });
    }
  }

  #answerFailure(id: number, type: string, error: unknown): void {
    if (error instanceof UnknownMessageError) {
      this.#answer(id, type, { ok: false, error: { code: 'UNKNOWN_MESSAGE', message: error.message } });
      return;
    }
    this.#logger.error(`handler failed on '${type}' asked by actor '${this.name}'`, { actor: this.name, messageType: type, error });
    this.#answer(id, type, { ok: false, error: { code: 'HANDLER_ERROR', message: messageOf(error) } });
  }

  #answer(id: number, type: string, reply: Reply<unknown>, transfer?: readonly ArrayBuffer[]): void {
    // A closed mailbox has stopped listening; its peer learns of it from the
    // port closing or from its own timeout.
    if (this.#closedBecause !== null) return;
    try {
      const frame = encodeFrame(replyEnvelope(id, reply), transfer);
      this.#port.postMessage(frame.data, frame.transferList);
    } catch (cause) {
      this.#logger.error(`could not send the reply to '${type}' asked by actor '${this.name}'`, { actor: this.name, messageType: type, error: cause });
      if (reply.ok) {
        this.#answer(id, type, { ok: false, error: { code: 'HANDLER_ERROR', message: `the reply could not be sent: ${messageOf(cause)}` } });
      }
    }
  }

  #settle(id: number, reply: Reply<unknown>): void {
    const pending = this.#pending.get(id);
    // A reply that arrives after its ask timed out has no one waiting for it.
    if (pending === undefined) return;
    clearTimeout(pending.timer);
    this.#pending.delete(id);
    if (reply.ok) {
      pending.resolve(reply.value);
      return;
    }
    const { code, message } = reply.error;
    pending.reject(this.#error(isActorErrorCode(code) ? code : 'HANDLER_ERROR', pending.type, `actor '${this.name}' answered '${pending.type}' with ${code}: ${message}`));
  }

  #refuse(envelope: Extract<Envelope, { kind: 'malformed' }>): void {
    const { reason, askId, replyId } = envelope;
    if (askId !== undefined) {
      this.#answer(askId, '(unreadable)', { ok: false, error: { code: 'MALFORMED', message: reason } });
      return;
    }
    const pending = replyId === undefined ? undefined : this.#pending.get(replyId);
    if (replyId !== undefined && pending !== undefined) {
      clearTimeout(pending.timer);
      this.#pending.delete(replyId);
      pending.reject(this.#error('MALFORMED', pending.type, `actor '${this.name}' answered '${pending.type}' with an unreadable reply: ${reason}`));
      return;
    }
    this.#logger.warn(`dropped a malformed message from actor '${this.name}': ${reason}`, { actor: this.name });
  }

  #shutDown(reason: string): void {
    if (this.#closedBecause !== null) return;
    this.#closedBecause = reason;
    this.#port.off('message', this.#onMessage);
    this.#port.off('messageerror', this.#onMessageError);
    this.#port.off('close', this.#onPortClose);
    this.#port.off('exit', this.#onWorkerExit);
    for (const pending of this.#pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(this.#error('CLOSED', pending.type, `no answer from actor '${this.name}' to '${pending.type}': ${reason}`));
    }
    this.#pending.clear();
  }

  #unsendable(type: string, cause: unknown): ActorError {
    return this.#error('MALFORMED', type, `'${type}' to actor '${this.name}' could not be sent: ${messageOf(cause)}`, cause);
  }

  #error(code: ActorErrorCode, type: string, message: string, cause?: unknown): ActorError {
    return new ActorError(code, message, this.name, type, cause === undefined ? undefined : { cause });
  }
}
