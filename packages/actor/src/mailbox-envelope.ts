// What a mailbox frame holds: [kind, id, payload]. An ask carries the id its
// reply will echo; a tell carries 0 and expects nothing back.

import type { ActorMessage, Reply } from './actor-message.js';

const ASK = 0;
const TELL = 1;
const REPLY = 2;

export type Envelope =
  | { readonly kind: 'ask'; readonly id: number; readonly message: ActorMessage }
  | { readonly kind: 'tell'; readonly message: ActorMessage }
  | { readonly kind: 'reply'; readonly id: number; readonly reply: Reply<unknown> }
  /** Unreadable. `askId` is set for an ask, which still gets its one reply; `replyId` for a reply, whose ask then fails. */
  | { readonly kind: 'malformed'; readonly reason: string; readonly askId?: number; readonly replyId?: number };

export function askEnvelope(id: number, message: ActorMessage): unknown[] {
  return [ASK, id, message];
}

export function tellEnvelope(message: ActorMessage): unknown[] {
  return [TELL, 0, message];
}

export function replyEnvelope(id: number, reply: Reply<unknown>): unknown[] {
  return [REPLY, id, reply];
}

function isMessage(value: unknown): value is ActorMessage {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}

function isReply(value: unknown): value is Reply<unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const reply = value as { ok?: unknown; error?: { code?: unknown; message?: unknown } | null };
  if (reply.ok === true) return true;
  return reply.ok === false && typeof reply.error === 'object' && reply.error !== null && typeof reply.error.code === 'string' && typeof reply.error.message === 'string';
}

export function readEnvelope(value: unknown): Envelope {
  if (!Array.isArray(value) || value.length !== 3) return { kind: 'malformed', reason: 'not a [kind, id, payload] envelope' };
  const [kind, id, payload] = value as [unknown, unknown, unknown];
  const validId = Number.isSafeInteger(id) ? (id as number) : undefined;
  switch (kind) {
    case ASK:
      if (validId === undefined) return { kind: 'malformed', reason: 'ask without a numeric id' };
      if (!isMessage(payload)) return { kind: 'malformed', reason: 'ask whose message has no string type', askId: validId };
      return { kind: 'ask', id: validId, message: payload };
    case TELL:
      if (!isMessage(payload)) return { kind: 'malformed', reason: 'tell whose message has no string type' };
      return { kind: 'tell', message: payload };
    case REPLY:
      if (validId === undefined) return { kind: 'malformed', reason: 'reply without a numeric id' };
      if (!isReply(payload)) return { kind: 'malformed', reason: 'reply is neither { ok: true, value } nor { ok: false, error }', replyId: validId };
      return { kind: 'reply', id: validId, reply: payload };
    default:
      return { kind: 'malformed', reason: `unknown envelope kind ${String(kind)}` };
  }
}
