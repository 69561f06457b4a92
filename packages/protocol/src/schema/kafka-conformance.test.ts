import { describe, expect, it } from 'vitest';
import { ALL_APIS } from '../apis/registry.js';
import { conformanceProblems } from './kafka-conformance.test-support.js';
import { KAFKA_MESSAGES_DIR, loadKafkaMessages } from './kafka-message-json.test-support.js';

const kafka = loadKafkaMessages();
if (kafka === undefined) {
  console.warn(`Skipping the Kafka conformance test: Kafka's message definitions are not at ${KAFKA_MESSAGES_DIR}`);
}

describe.skipIf(kafka === undefined)("schemas match Apache Kafka's message definitions", () => {
  it('lists each API key once', () => {
    const keys = ALL_APIS.map((api) => api.apiKey);
    const duplicates = keys.filter((key, i) => keys.indexOf(key) !== i);
    expect(duplicates, 'API keys listed twice in ALL_APIS').toEqual([]);
  });

  for (const api of ALL_APIS) {
    for (const kind of ['request', 'response'] as const) {
      it(`${api.name} ${kind} (apiKey ${api.apiKey}, versions ${api.validVersions})`, () => {
        expect(conformanceProblems(api, kind, kafka!)).toEqual([]);
      });
    }
  }
});
