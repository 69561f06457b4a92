import { ActorError } from '@kstream/actor';
import { unpackAdminReply } from '@kstream/metadata';
import type { ControllerReplies, ControllerRequest, PackedAdminReply, UnpackedReplyType } from '@kstream/metadata';
import { ErrorCode } from '@kstream/protocol';
import { MetadataWaitTimeoutError } from '../metadata/broker-metadata.js';
import type { BrokerServices } from './handler.js';

/** The admin requests a broker forwards to the controller. */
export type AdminRequest = Exclude<ControllerRequest, { type: UnpackedReplyType }>;

/** Why a whole admin request failed: every resource in it is answered with this. */
export interface AdminFailure {
  readonly failed: true;
  readonly errorCode: number;
  readonly errorMessage: string;
}

/**
 * Forwards an admin request to the controller (the single writer of
 * metadata) and waits until this broker's metadata cache has applied what it
 * changed, so that the client's next request, here, sees the change. Both
 * waits together are bounded by the request's `timeoutMs` (none when it is 0
 * or less, beyond the channel's own); running out is REQUEST_TIMED_OUT, as
 * Kafka answers, though the change may still happen.
 */
export async function askController<M extends AdminRequest>(broker: BrokerServices, msg: M, timeoutMs: number): Promise<ControllerReplies[M['type']] | AdminFailure> {
  const deadline = timeoutMs > 0 ? performance.now() + timeoutMs : undefined;
  try {
    const packed = await broker.controller.ask(msg, deadline === undefined ? {} : { timeoutMs });
    const reply = unpackAdminReply<ControllerReplies[M['type']]>(packed as PackedAdminReply);
    const remaining = deadline === undefined ? CACHE_WAIT_MS : Math.max(1, deadline - performance.now());
    await broker.metadata.waitForOffset(reply.metadataOffset, remaining);
    return reply;
  } catch (error) {
    const failure = (errorCode: number): AdminFailure => ({
      failed: true,
      errorCode,
      errorMessage: `${msg.type} did not complete: ${(error as Error).message}`,
    });
    if (error instanceof MetadataWaitTimeoutError) return failure(ErrorCode.REQUEST_TIMED_OUT);
    if (!(error instanceof ActorError)) throw error;
    switch (error.code) {
      case 'TIMEOUT':
        return failure(ErrorCode.REQUEST_TIMED_OUT);
      case 'CLOSED':
        // The broker is shutting down; the client retries elsewhere.
        return failure(ErrorCode.NOT_CONTROLLER);
      default:
        broker.logger.error(`broker ${broker.brokerId}: the controller failed ${msg.type}`, { error });
        return failure(ErrorCode.UNKNOWN_SERVER_ERROR);
    }
  }
}

/** How long a reply waits for the metadata cache when the request set no timeout. */
const CACHE_WAIT_MS = 30_000;

export function isAdminFailure(reply: object): reply is AdminFailure {
  return 'failed' in reply;
}

/** An entry of an admin request answered before forwarding: refused by a check the broker makes itself. */
export interface Refusal {
  readonly errorCode: number;
  readonly errorMessage: string;
}

/**
 * Forwards the entries of an admin request that no check here refused, and
 * lines the controller's per-entry answers up with the request's entries
 * again: each entry gets its own refusal, the failure of the whole forwarded
 * request, or `{ answer }`. Nothing is forwarded when every entry is refused.
 */
export async function forwardUnrefused<T, A>(
  entries: readonly T[],
  refusals: readonly (Refusal | undefined)[],
  ask: (forwarded: T[]) => Promise<readonly A[] | AdminFailure>,
): Promise<Array<Refusal | { readonly answer: A }>> {
  const forwarded = entries.filter((_, i) => refusals[i] === undefined);
  const reply = forwarded.length === 0 ? [] : await ask(forwarded);
  let next = 0;
  return entries.map((_, i) => refusals[i] ?? (isAdminFailure(reply) ? reply : { answer: reply[next++]! }));
}
