import { replyWithTransfer } from '@kstream/actor';
import type { TransferringReply } from '@kstream/actor';
import type { PackedAdminReply } from '@kstream/metadata';

/**
 * A channel handler's answer of `wire`: each packed chunk that fills an
 * ArrayBuffer of its own moves to the asker (Node pools smaller Buffers,
 * whose ArrayBuffer must not be moved); the mailbox copies the others.
 */
export function transferPackedReply(wire: PackedAdminReply): TransferringReply<PackedAdminReply> {
  const owned = wire.packed.filter((chunk) => chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength && chunk.buffer instanceof ArrayBuffer);
  return replyWithTransfer(
    wire,
    owned.map((chunk) => chunk.buffer as ArrayBuffer),
  );
}
