import { describe, expect, it } from 'vitest';
import { ApiVersions } from '../apis/api-versions.js';
import { Produce } from '../apis/produce.js';
import { ByteWriter } from '../primitives/byte-writer.js';
import { ProtocolDecodeError } from '../primitives/protocol-error.js';
import { UnsupportedVersionError } from '../schema/unsupported-version-error.js';
import { decodeRequest, decodeRequestHeader, decodeResponse, encodeRequest, encodeResponse, responseCorrelationId } from './frame-codec.js';
import { finishFrame, startFrame } from './frame-size.js';

const hex = (s: string) => Buffer.from(s.replace(/ /g, ''), 'hex');

/** A request frame with any key and version, as a newer client might send. */
function rawRequest(apiKey: number, apiVersion: number, correlationId: number, rest: string): Buffer {
  const w = new ByteWriter();
  const at = startFrame(w);
  w.int16(apiKey);
  w.int16(apiVersion);
  w.int32(correlationId);
  w.nullableString('c');
  w.raw(hex(rest));
  finishFrame(w, at);
  return w.toBuffer();
}

const emptyProduceResponse = { responses: [], throttleTimeMs: 0, nodeEndpoints: [] };

describe('request and response frames', () => {
  it('flexibleRequestUsesHeaderV2', () => {
    const frame = encodeRequest(ApiVersions, 3, 7, 'cli', { clientSoftwareName: 'k', clientSoftwareVersion: '1' });
    // size | apiKey 18, v3, correlationId 7 | clientId "cli" (classic string even in v2) | no header tags | body
    expect(frame).toEqual(hex('00000013 0012 0003 00000007 0003636c69 00 026b 0231 00'));
  });

  it('nonFlexibleRequestUsesHeaderV1', () => {
    const frame = encodeRequest(ApiVersions, 2, 7, null, { clientSoftwareName: '', clientSoftwareVersion: '' });
    expect(frame).toEqual(hex('0000000a 0012 0002 00000007 ffff'));
  });

  it('apiVersionsResponseAlwaysUsesHeaderV0', () => {
    const body = { errorCode: 35, apiKeys: [], throttleTimeMs: 0, supportedFeatures: [], finalizedFeaturesEpoch: -1n, finalizedFeatures: [], zkMigrationReady: false };
    // correlationId, then the body at once: a v0 header has no tagged section, even for flexible v3.
    expect(encodeResponse(ApiVersions, 3, 9, body)).toEqual(hex('0000000c 00000009 0023 01 00000000 00'));
    expect(decodeResponse(ApiVersions, 3, encodeResponse(ApiVersions, 3, 9, body)).body).toEqual(body);
  });

  it('flexibleResponseUsesHeaderV1', () => {
    expect(encodeResponse(Produce, 9, 9, emptyProduceResponse)).toEqual(hex('0000000b 00000009 00 01 00000000 00'));
    expect(encodeResponse(Produce, 8, 9, emptyProduceResponse)).toEqual(hex('0000000c 00000009 00000000 00000000'));
  });

  it('decodesTheRequestHeaderOfAnUnknownApiKey', () => {
    const frame = rawRequest(999, 3, 42, '0102');
    expect(decodeRequestHeader(frame)).toEqual({ apiKey: 999, apiVersion: 3, correlationId: 42, clientId: 'c' });
    expect(() => decodeRequest(frame)).toThrow(UnsupportedVersionError);
    expect(() => decodeRequest(frame)).toThrow('unsupported API key 999 (version 3)');
  });

  it('unsupportedVersionOfAKnownApiCarriesKeyAndVersion', () => {
    const frame = rawRequest(18, 9, 42, '00 00 00');
    expect(decodeRequestHeader(frame)).toMatchObject({ apiKey: 18, apiVersion: 9, correlationId: 42 });
    try {
      decodeRequest(frame);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(UnsupportedVersionError);
      expect(error).toMatchObject({ apiKey: 18, apiVersion: 9, api: ApiVersions });
    }
  });

  it('requestHeaderTaggedFieldsAreSkipped', () => {
    const frame = rawRequest(18, 3, 1, '01 05 02 aaaa  026b 0231 00');
    expect(decodeRequest(frame).body).toEqual({ clientSoftwareName: 'k', clientSoftwareVersion: '1' });
  });

  it('sizePrefixMustMatchTheFrame', () => {
    const frame = encodeRequest(ApiVersions, 0, 1, null, { clientSoftwareName: '', clientSoftwareVersion: '' });
    expect(() => decodeRequest(frame.subarray(0, frame.length - 1))).toThrow('request header: frame size prefix says 10 bytes, the frame holds 9');
    expect(() => decodeRequestHeader(hex('0000'))).toThrow(ProtocolDecodeError);
  });

  it('truncatedHeaderIsADecodeError', () => {
    expect(() => decodeRequestHeader(hex('00000003 001200'))).toThrow('request header: int16 needs 2 bytes, 1 left');
  });

  it('clientReadsTheCorrelationIdBeforeDecoding', () => {
    const frame = encodeResponse(Produce, 9, 1234, emptyProduceResponse);
    expect(responseCorrelationId(frame)).toBe(1234);
    expect(decodeResponse(Produce, 9, frame)).toEqual({ correlationId: 1234, body: emptyProduceResponse });
  });

  it('responseDecodeErrorNamesTheMessage', () => {
    const frame = encodeResponse(Produce, 9, 1, emptyProduceResponse);
    frame[frame.length - 1] = 5; // a tagged-field count of 5 with nothing after it
    expect(() => decodeResponse(Produce, 9, frame)).toThrow('Produce v9 response: varint runs past the end of the message');
  });
});
