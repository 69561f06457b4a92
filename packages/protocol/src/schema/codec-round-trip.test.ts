import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ALL_APIS } from '../apis/registry.js';
import { decodeRequest, decodeResponse, encodeRequest, encodeResponse } from '../frame/frame-codec.js';
import { structArbitrary } from './schema-arbitrary.test-support.js';
import { versionsIn } from './versions.js';

// Every API and version in ALL_APIS, requests and responses, through whole
// frames: a schema that lands in the registry is covered without a new test.
const NUM_RUNS = 20;

describe.each(ALL_APIS.map((api) => [api.name, api] as const))('%s round-trips', (_name, api) => {
  for (const version of versionsIn(api.validVersions)) {
    it(`request v${version}`, () => {
      fc.assert(
        fc.property(structArbitrary(api.request, version), fc.integer(), fc.option(fc.string()), (body, correlationId, clientId) => {
          const frame = encodeRequest(api, version, correlationId, clientId, body);
          const decoded = decodeRequest(frame);
          expect(decoded.header).toEqual({ apiKey: api.apiKey, apiVersion: version, correlationId, clientId });
          expect(decoded.api).toBe(api);
          expect(decoded.body).toEqual(body);
          expect(encodeRequest(api, version, correlationId, clientId, decoded.body)).toEqual(frame);
        }),
        { numRuns: NUM_RUNS },
      );
    });

    it(`response v${version}`, () => {
      fc.assert(
        fc.property(structArbitrary(api.response, version), fc.integer(), (body, correlationId) => {
          const frame = encodeResponse(api, version, correlationId, body);
          const decoded = decodeResponse(api, version, frame);
          expect(decoded.correlationId).toBe(correlationId);
          expect(decoded.body).toEqual(body);
          expect(encodeResponse(api, version, correlationId, decoded.body)).toEqual(frame);
        }),
        { numRuns: NUM_RUNS },
      );
    });
  }
});
