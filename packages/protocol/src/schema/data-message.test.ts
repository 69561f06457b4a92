import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProtocolDecodeError } from '../primitives/protocol-error.js';
import { dataMessageCodec, defineDataMessage } from './data-message.js';
import { structArbitrary } from './schema-arbitrary.test-support.js';
import { f } from './schema-types.js';

// A made-up data message: versions 1-3, flexible from 3, a field added in 2.
const Sample = defineDataMessage({
  name: 'Sample',
  validVersions: '1-3',
  flexibleVersions: '3+',
  fields: [f.string('name', '1+'), f.int32('added', '2+', { default: -1 }), f.structs('items', '1+', [f.int16('id', '1+')])],
});
const codec = dataMessageCodec(Sample);

const hex = (spaced: string) => Buffer.from(spaced.replace(/\s+/g, ''), 'hex');
const v2 = { bytes: hex('0002  0001 61  00000007  00000001 0009'), message: { name: 'a', added: 7, items: [{ id: 9 }] } };
// Compact string and array lengths are N+1; every struct ends in its tagged fields (none: 00).
const v3 = { bytes: hex('0003  02 61  00000007  02 0009 00  00'), message: v2.message };

describe('data message codec', () => {
  it('encodesEachVersionWithItsPrefixAndEncoding', () => {
    expect(codec.encode(v2.message, 2).toString('hex')).toBe(v2.bytes.toString('hex'));
    expect(codec.encode(v3.message, 3).toString('hex')).toBe(v3.bytes.toString('hex'));
    expect(codec.decode(v2.bytes)).toEqual({ version: 2, message: v2.message });
    expect(codec.decode(v3.bytes)).toEqual({ version: 3, message: v3.message });
  });

  for (const version of [1, 2, 3]) {
    it(`roundTripsEveryValueOfVersion${version}`, () => {
      fc.assert(
        fc.property(structArbitrary(Sample.fields, version), (message) => {
          expect(codec.decode(codec.encode(message as typeof v2.message, version))).toEqual({ version, message });
        }),
        { numRuns: 100 },
      );
    });
  }

  it('readsAHigherVersionAsTheNewestIgnoringWhatFollowsItsFields', () => {
    // A v5 writer adds a tagged field (tag 4, 1 byte) to the struct and bytes after the message.
    const v5 = hex('0005  02 61  00000007  02 0009 00  01 04 01 ff  cafe');
    expect(codec.decode(v5)).toEqual({ version: 5, message: v3.message });
  });

  it('rejectsAVersionBelowTheOldest', () => {
    const v0 = Buffer.concat([hex('0000'), v2.bytes.subarray(2)]);
    expect(() => codec.decode(v0)).toThrow(ProtocolDecodeError);
    expect(() => codec.decode(v0)).toThrow('Sample: version 0 is not one we read: supported versions are 1-3 and later');
  });

  it('rejectsANegativeVersion', () => {
    expect(() => codec.decode(hex('fffe 0001 61'))).toThrow('Sample: negative version -2');
  });

  it('rejectsTrailingBytesInAKnownVersion', () => {
    expect(() => codec.decode(Buffer.concat([v2.bytes, hex('00')]))).toThrow('Sample v2: 1 bytes left over after the message');
  });

  it('rejectsAMessageCutInsideAField', () => {
    expect(() => codec.decode(v2.bytes.subarray(0, -1))).toThrow('Sample v2: items: array length 1 exceeds the 1 bytes left');
  });

  it('refusesToEncodeAVersionItDoesNotKnow', () => {
    expect(() => codec.encode(v2.message, 4)).toThrow('cannot encode Sample version 4: supported versions are 1-3');
  });

  it('tryDecodeAsReadsTheBodyAsAnOlderVersion', () => {
    // Labelled v2 but holding v1's fields only.
    const labelledV2 = hex('0002  0001 61  00000000');
    expect(codec.tryDecodeAs(labelledV2, 1)).toEqual({ name: 'a', added: -1, items: [] });
    expect(codec.tryDecodeAs(labelledV2, 2)).toBeUndefined();
  });
});
