// How `kstream consume` prints a record: its value; its key and value
// (separated by --key-separator, a tab by default, as kafka-console-consumer's
// print.key does); or one JSON object with its metadata. Keys, values and
// header values print as UTF-8 text, null as null (JSON) or "null".
import type { ConsumerRecord } from '@kstream/client';

export const RECORD_FORMATS = ['value', 'key-value', 'json'] as const;
export type RecordFormat = (typeof RECORD_FORMATS)[number];

export function formatRecord(record: ConsumerRecord, format: RecordFormat, keySeparator: string): string {
  switch (format) {
    case 'value':
      return text(record.value) ?? 'null';
    case 'key-value':
      return `${text(record.key) ?? 'null'}${keySeparator}${text(record.value) ?? 'null'}`;
    case 'json':
      return JSON.stringify({
        topic: record.topic,
        partition: record.partition,
        offset: Number(record.offset),
        timestamp: record.timestamp,
        key: text(record.key),
        value: text(record.value),
        headers: Object.fromEntries(record.headers.map((h) => [h.key, text(h.value)])),
      });
    default: {
      const unknown: never = format;
      throw new Error(`unknown record format ${String(unknown)}`);
    }
  }
}

function text(bytes: Buffer | null): string | null {
  return bytes === null ? null : bytes.toString('utf8');
}
