// Every Kafka message travels as a frame: a 4-byte big-endian size, then
// that many bytes (header and body). This file is the one place that writes
// and checks the size prefix; encoders return whole frames and decoders take
// whole frames, exactly as FrameReader cuts them from a stream.
import { ByteReader } from '../primitives/byte-reader.js';
import type { ByteWriter } from '../primitives/byte-writer.js';
import { ProtocolDecodeError } from '../primitives/protocol-error.js';

export const FRAME_SIZE_BYTES = 4;

/** A frame size that is negative or above the configured limit (Kafka's socket.request.max.bytes); the connection must be closed. */
export class FrameSizeError extends ProtocolDecodeError {
  override readonly name = 'FrameSizeError';

  constructor(
    readonly size: number,
    readonly limit: number,
  ) {
    super(size < 0 ? `negative frame size ${size}` : `frame size ${size} exceeds the limit of ${limit} bytes`);
  }
}

/** Reserves the size prefix; returns where it is, for finishFrame. */
export function startFrame(w: ByteWriter): number {
  const at = w.offset;
  w.int32(0);
  return at;
}

/** Writes the size of everything written since startFrame. */
export function finishFrame(w: ByteWriter, at: number): void {
  w.patchInt32(at, w.offset - at - FRAME_SIZE_BYTES);
}

/**
 * A reader over a whole frame's header and body, once its size prefix is
 * checked against its length. `label` names the frame in errors until a
 * body decoder names its message.
 */
export function openFrame(frame: Buffer, label: string): ByteReader {
  if (frame.length < FRAME_SIZE_BYTES) {
    throw new ProtocolDecodeError(`frame of ${frame.length} bytes is shorter than its size prefix`, '', label);
  }
  const size = frame.readInt32BE(0);
  if (size !== frame.length - FRAME_SIZE_BYTES) {
    throw new ProtocolDecodeError(`frame size prefix says ${size} bytes, the frame holds ${frame.length - FRAME_SIZE_BYTES}`, '', label);
  }
  const r = new ByteReader(frame, FRAME_SIZE_BYTES);
  r.context = label;
  return r;
}
