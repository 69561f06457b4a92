// Reads Apache Kafka's message definitions (../shared/kafka-protocol/messages,
// outside the repository) so tests can cross-check our schemas against them.
// They are read as the specification at test time, never copied.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface KafkaField {
  readonly name: string;
  readonly type: string;
  readonly versions: string;
  readonly nullableVersions?: string;
  readonly taggedVersions?: string;
  readonly tag?: number;
  readonly default?: string | number | boolean;
  readonly fields?: readonly KafkaField[];
}

export interface KafkaMessage {
  readonly apiKey: number;
  readonly type: 'request' | 'response';
  readonly name: string;
  readonly validVersions: string;
  readonly flexibleVersions: string;
  readonly fields: readonly KafkaField[];
  readonly commonStructs?: readonly { name: string; versions: string; fields: readonly KafkaField[] }[];
  readonly file: string;
}

/** <repo>/../shared/kafka-protocol/messages, from this file's place in packages/protocol/src/schema. */
export const KAFKA_MESSAGES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../../shared/kafka-protocol/messages');

/**
 * Removes // comments outside string literals (Kafka's JSON carries its
 * license and version history as comments; an "about" text may hold "//").
 */
export function stripJsonComments(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inString = false;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else {
      if (c === '"') inString = true;
      out += c;
    }
  }
  return out;
}

/** Every request and response definition, keyed "<apiKey>:<request|response>"; undefined when the folder is absent. */
export function loadKafkaMessages(dir = KAFKA_MESSAGES_DIR): Map<string, KafkaMessage> | undefined {
  if (!existsSync(dir)) return undefined;
  const messages = new Map<string, KafkaMessage>();
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.json'))) {
    const message = JSON.parse(stripJsonComments(readFileSync(join(dir, file), 'utf8'))) as Omit<KafkaMessage, 'file'>;
    if (message.type !== 'request' && message.type !== 'response') continue;
    messages.set(`${message.apiKey}:${message.type}`, { ...message, file });
  }
  return messages;
}
