// Fetch sessions (KIP-227): the ids and epochs a Fetch request's sessionId
// and sessionEpoch carry, as Kafka's FetchMetadata defines them. The broker's
// client sessions and the brokers' replica fetch sessions both follow them.

/** 0 opens a session (full fetch); the epochs after it wrap from 2^31-1 to 1. */
export const INITIAL_EPOCH = 0;
/** -1 closes a session, or fetches without one. */
export const FINAL_EPOCH = -1;
/** The session id of a fetch without a session, or of one opening a session. */
export const INVALID_SESSION_ID = 0;

/** The epoch after `epoch`: epochs wrap from 2^31-1 back to 1 (0 only ever opens a session). */
export function nextEpoch(epoch: number): number {
  return epoch >= 0x7fffffff ? 1 : epoch + 1;
}
