import { ProtocolEncodeError } from './protocol-error.js';

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** The 16 bytes at `at` as 8-4-4-4-12 lower-case hex. */
export function formatUuid(buf: Buffer, at: number): string {
  const hex = buf.toString('hex', at, at + 16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Writes an 8-4-4-4-12 hex uuid as its 16 bytes at `at`. */
export function writeUuid(buf: Buffer, at: number, uuid: string): void {
  if (typeof uuid !== 'string' || !UUID.test(uuid)) {
    throw new ProtocolEncodeError(`uuid ${JSON.stringify(uuid)} is not 8-4-4-4-12 hex`);
  }
  buf.write(uuid.slice(0, 8), at, 'hex');
  buf.write(uuid.slice(9, 13), at + 4, 'hex');
  buf.write(uuid.slice(14, 18), at + 6, 'hex');
  buf.write(uuid.slice(19, 23), at + 8, 'hex');
  buf.write(uuid.slice(24), at + 10, 'hex');
}
