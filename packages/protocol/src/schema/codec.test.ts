import { describe, expect, it } from 'vitest';
import { Fetch } from '../apis/fetch.js';
import { Produce } from '../apis/produce.js';
import { ByteReader } from '../primitives/byte-reader.js';
import { ByteWriter } from '../primitives/byte-writer.js';
import { ProtocolDecodeError, ProtocolEncodeError } from '../primitives/protocol-error.js';
import { decodeRequestBody, encodeRequestBody, messageCodec } from './codec.js';
import { defineApi, f } from './schema-types.js';
import { UnsupportedVersionError } from './unsupported-version-error.js';

// A made-up API that puts every codec rule in one small message.
const Sample = defineApi({
  apiKey: 9999,
  name: 'Sample',
  validVersions: '0-3',
  flexibleVersions: '2+',
  request: [
    f.int32('added', '1+', { default: -1 }),
    f.string('note', '0+', { nullable: '1+', default: null }),
    f.structs('items', '0+', [f.int16('id', '0+')]),
    f.string('later', '3+', { tagged: { versions: '3+', tag: 5 }, default: 'x' }),
    f.int64('epoch', '2+', { tagged: { versions: '2+', tag: 1 }, default: -1n }),
    f.struct('leader', '2+', [f.int32('id', '2+', { default: -1 })], { tagged: { versions: '2+', tag: 0 } }),
    f.struct('maybe', '0+', [f.int8('k', '0+')], { nullable: '0+', default: null }),
  ],
  response: [],
});

const hex = (s: string) => Buffer.from(s.replace(/ /g, ''), 'hex');
const decodeSample = (version: number, bytes: string) => decodeRequestBody(Sample, version, hex(bytes));

function decodeFailure(run: () => unknown): ProtocolDecodeError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ProtocolDecodeError);
    return error as ProtocolDecodeError;
  }
  throw new Error('decoding did not fail');
}

describe('schema codec', () => {
  it('absentFieldsDecodeToTheirDefaults', () => {
    // v0: note (classic string), items (empty array), maybe (null marker).
    expect(decodeSample(0, '0001 61 00000000 ff')).toEqual({
      added: -1,
      note: 'a',
      items: [],
      later: 'x',
      epoch: -1n,
      leader: { id: -1 },
      maybe: null,
    });
  });

  it('nullableStructCarriesAMarkerByte', () => {
    expect(encodeRequestBody(Sample, 1, { added: 1, note: null, items: [], later: 'x', epoch: -1n, leader: { id: -1 }, maybe: { k: 7 } })).toEqual(
      hex('00000001 ffff 00000000 01 07'),
    );
  });

  it('taggedFieldsEqualToTheirDefaultsAreLeftOut', () => {
    const body = { added: 1, note: null, items: [], later: 'x', epoch: -1n, leader: { id: -1 }, maybe: null };
    // flexible v2: compact null string, compact empty array, null struct marker, then an empty tagged section.
    expect(encodeRequestBody(Sample, 2, body)).toEqual(hex('00000001 00 01 ff 00'));
  });

  it('taggedFieldsAreWrittenInTagOrder', () => {
    const body = { added: 1, note: null, items: [], later: 'y', epoch: 2n, leader: { id: 3 }, maybe: null };
    expect(encodeRequestBody(Sample, 3, body)).toEqual(hex('00000001 00 01 ff 03  00 05 00000003 00  01 08 0000000000000002  05 02 0279'));
    expect(decodeRequestBody(Sample, 3, encodeRequestBody(Sample, 3, body))).toEqual(body);
  });

  it('unknownTaggedFieldsAreSkipped', () => {
    expect(decodeSample(2, '00000001 00 01 ff 02  07 03 aabbcc  01 08 0000000000000009').epoch).toBe(9n);
  });

  it('taggedFieldLargerThan127BytesRoundTrips', () => {
    const body = { added: 1, note: null, items: [], later: 'z'.repeat(200), epoch: -1n, leader: { id: -1 }, maybe: null };
    const bytes = encodeRequestBody(Sample, 3, body);
    expect(bytes.subarray(7, 11)).toEqual(hex('01 05 ca01'));
    expect(decodeRequestBody(Sample, 3, bytes)).toEqual(body);
  });

  it('taggedFieldValueMustFillItsDeclaredSize', () => {
    expect(decodeFailure(() => decodeSample(2, '00000001 00 01 ff 01  01 09 0000000000000009 00')).message).toBe(
      'Sample v2 request: epoch: tagged field 1 declares 9 bytes but its value took 8',
    );
  });

  it('taggedFieldCannotReadPastItsDeclaredSize', () => {
    expect(decodeFailure(() => decodeSample(2, '00000001 00 01 ff 01  01 04 0000000000000009')).message).toBe('Sample v2 request: epoch: int64 needs 8 bytes, 4 left');
  });

  it('trailingBytesAfterAValidBodyAreAnError', () => {
    expect(decodeFailure(() => decodeSample(0, '0001 61 00000000 ff 00')).message).toBe('Sample v0 request: 1 bytes left over after the message');
  });

  it('decodeErrorNamesApiVersionAndFieldPath', () => {
    const w = new ByteWriter();
    for (const value of [-1, 500, 1, 1024]) w.int32(value); // replicaId, maxWaitMs, minBytes, maxBytes
    w.int8(0);
    w.int32(0);
    w.int32(-1);
    w.unsignedVarint(2); // one topic
    w.compactString('t');
    w.unsignedVarint(2 ** 31); // partitions: a count of 2147483647
    w.raw(Buffer.alloc(35));
    expect(decodeFailure(() => decodeRequestBody(Fetch, 12, w.toBuffer())).message).toBe(
      'Fetch v12 request: topics[0].partitions: array length 2147483647 exceeds the 35 bytes left',
    );
  });

  it('encodeErrorNamesApiVersionAndFieldPath', () => {
    const body = {
      transactionalId: null,
      acks: -1,
      timeoutMs: 1000,
      topicData: [
        {
          name: 't',
          partitionData: [
            { index: 0, records: null },
            { index: 2 ** 31, records: null },
          ],
        },
      ],
    };
    expect(() => encodeRequestBody(Produce, 9, body)).toThrow(ProtocolEncodeError);
    expect(() => encodeRequestBody(Produce, 9, body)).toThrow('Produce v9 request: topicData[0].partitionData[1].index: 2147483648 is not a valid int32');
  });

  it('undefinedFieldsEncodeAsTheirDefaults', () => {
    const partial = { note: 'a', items: [{ id: 1 }] } as unknown as Parameters<typeof encodeRequestBody<typeof Sample>>[2];
    expect(decodeRequestBody(Sample, 1, encodeRequestBody(Sample, 1, partial))).toMatchObject({ added: -1, note: 'a', maybe: null });
  });

  it('decodedMessagesHaveEveryFieldInSpecOrder', () => {
    expect(Object.keys(decodeSample(0, '0001 61 00000000 ff'))).toEqual(['added', 'note', 'items', 'later', 'epoch', 'leader', 'maybe']);
  });

  it('compilesEachVersionOnce', () => {
    expect(messageCodec(Sample, 2, 'request')).toBe(messageCodec(Sample, 2, 'request'));
    expect(messageCodec(Sample, 2, 'request')).not.toBe(messageCodec(Sample, 3, 'request'));
  });

  it('versionOutsideValidVersionsIsUnsupported', () => {
    expect(() => messageCodec(Produce, 12, 'request')).toThrow(UnsupportedVersionError);
    try {
      messageCodec(Produce, 12, 'request');
    } catch (error) {
      expect(error).toMatchObject({ apiKey: 0, apiVersion: 12 });
      expect((error as Error).message).toBe('unsupported version 12 of Produce (apiKey 0); supported versions are 3-11');
    }
  });

  it('decodeReadsOnlyBetweenOffsetAndEnd', () => {
    const body = hex('0001 61 00000000 ff');
    const framed = Buffer.concat([hex('eeee'), body, hex('eeee')]);
    const r = new ByteReader(framed, 2, 2 + body.length);
    expect(messageCodec(Sample, 0, 'request').decode(r).note).toBe('a');
  });
});

describe('schemas the codec refuses to compile', () => {
  const api = (field: ReturnType<typeof f.int32>) => defineApi({ apiKey: 9998, name: 'Odd', validVersions: '0', flexibleVersions: '0+', request: [field], response: [] });

  it('fieldNameThatIsNotAnIdentifier', () => {
    expect(() => messageCodec(api(f.int32('__proto__', '0+')), 0, 'request')).toThrow('field name "__proto__" is not a camelCase identifier');
  });

  it('taggedFieldWithoutAnIntegerTag', () => {
    const field = { ...f.int32('odd', '0+', { tagged: { versions: '0+', tag: 1 } }), tag: 1.5 };
    expect(() => messageCodec(api(field), 0, 'request')).toThrow('tagged field odd needs a non-negative integer tag, has 1.5');
  });
});
