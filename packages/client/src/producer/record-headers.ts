import type { RecordHeader } from '@kstream/protocol';
import type { ProducerRecord } from './producer-record.js';

/** A producer record's headers as the batch encoder takes them: string values in UTF-8; an object's keys in insertion order. */
export function recordHeaders(headers: ProducerRecord['headers']): RecordHeader[] | undefined {
  if (headers === undefined) return undefined;
  const out: RecordHeader[] = [];
  if (Array.isArray(headers)) {
    for (const { key, value } of headers as readonly { key: string; value: string | Buffer | null }[]) out.push({ key, value: headerValue(value) });
  } else {
    for (const key of Object.keys(headers)) out.push({ key, value: headerValue((headers as Record<string, string | Buffer>)[key]!) });
  }
  return out;
}

function headerValue(value: string | Buffer | null): Buffer | null {
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
}
