import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bufferSerde, jsonSerde, stringSerde } from './serde.js';

describe('serdes', () => {
  it('bufferPassesBytesThrough', () => {
    const bytes = Buffer.from([0, 1, 255]);
    expect(bufferSerde.serialize(bytes, 't')).toBe(bytes);
    expect(bufferSerde.deserialize(bytes, 't')).toBe(bytes);
  });

  it('stringRoundTripsAnyUnicodeAsUtf8', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        const bytes = stringSerde.serialize(text, 't')!;
        expect(bytes.equals(Buffer.from(text, 'utf8'))).toBe(true);
        expect(stringSerde.deserialize(bytes, 't')).toBe(text);
      }),
    );
  });

  it('jsonRoundTripsValues', () => {
    const serde = jsonSerde<unknown>();
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const back = serde.deserialize(serde.serialize(value, 't')!, 't');
        expect(back).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });

  it('jsonRejectsMalformedBytes', () => {
    expect(() => jsonSerde<object>().deserialize(Buffer.from('{"a":'), 't')).toThrow(SyntaxError);
  });
});
