// An admin reply crosses a broker's channel with its list of results packed:
// the reply to a request naming 100000 topics is megabytes of msgpack, which
// the channel's mailbox would encode in one stretch of the controller's
// thread (0.6-0.9 s seen by the fuzzer). The list is packed a result at a
// time in turns (loop-turns.ts) into a chunk per turn, moved to the broker's
// thread without a copy where a chunk has a buffer of its own, and joined
// and unpacked there.
import type { PackedAdminReply } from './messages.js';
import { packArrayChunksInTurns, unpackArray } from './metadata-batch.js';

/** `reply`, whose one array field is its results, with that array packed. */
export async function packAdminReply(reply: object): Promise<PackedAdminReply> {
  const fields: Record<string, unknown> = {};
  let list: [string, unknown[]] | undefined;
  for (const [name, value] of Object.entries(reply)) {
    if (!Array.isArray(value)) fields[name] = value;
    else if (list === undefined) list = [name, value];
    else throw new TypeError(`an admin reply has one list of results; this one has ${list[0]} and ${name}`);
  }
  if (list === undefined) throw new TypeError('an admin reply has a list of results; this one has none');
  return { list: list[0], packed: await packArrayChunksInTurns(list[1]), fields };
}

/** The reply packAdminReply packed. */
export function unpackAdminReply<R>(wire: PackedAdminReply): R {
  return { ...wire.fields, [wire.list]: unpackArray(wire.packed) } as R;
}
