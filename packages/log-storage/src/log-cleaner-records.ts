import { BATCH_HEADER_SIZE, compressionCodec, CompressionType, readAttributes, RecordReader, type RecordBatchHeader } from '@kstream/protocol';

/** What the cleaner looks at in a record: its offset delta, its key (a view) and whether it is a tombstone. */
export type RecordKeyVisitor = (offsetDelta: number, key: Buffer | null, tombstone: boolean) => void;

/** A stored batch's records section, decompressed with its codec if it is compressed. */
export async function recordsSectionOf(bytes: Buffer, header: RecordBatchHeader): Promise<Buffer> {
  const section = bytes.subarray(BATCH_HEADER_SIZE);
  const compression = readAttributes(header.attributes).compression;
  if (compression === CompressionType.None || section.length === 0) return section;
  const codec = compressionCodec(compression);
  if (codec === undefined) throw new RangeError(`batch at offset ${header.baseOffset}: compression type ${compression} is not one Kafka defines`);
  return codec.decompress(section);
}

/**
 * Walks the records of a (decompressed) records section reading only what
 * the cleaner decides on — offset delta, key, whether the value is null —
 * and skipping the rest of each record by its length: the offset map and
 * the filter run this over every record of the log, and most of them are
 * dropped or kept whole without ever being decoded. Lengths are checked as
 * protocol's RecordReader checks them.
 */
export function walkRecordKeys(section: Buffer, header: RecordBatchHeader, visit: RecordKeyVisitor): void {
  const reader = new RecordReader(section, 0, section.length, header.baseOffset);
  for (let i = 0; i < header.recordCount; i++) {
    reader.recordIndex = i;
    const length = reader.varint('record length');
    if (length < 0 || length > reader.remaining) reader.fail('bad-record-length', `record length ${length} with ${reader.remaining} bytes left`);
    const recordEnd = reader.position + length;
    reader.int8('attributes');
    reader.varlong('timestampDelta');
    const offsetDelta = reader.varint('offsetDelta');
    const key = reader.nullableBytes('key');
    const valueLength = reader.varint('value length');
    visit(offsetDelta, key, valueLength === -1);
    reader.position = recordEnd;
  }
}
