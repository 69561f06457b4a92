import { apiByKey, ApiVersions, decodeRequest, decodeRequestHeader, encodeResponse, ErrorCode, inVersionRange, UnsupportedVersionError } from '@kstream/protocol';
import type { ApiSpec, RequestHeader } from '@kstream/protocol';
import { serveWithFaults } from '../faults/apply-faults.js';
import { faultsOf } from '../faults/broker-faults.js';
import type { RequestFaults } from '../faults/request-faults.js';
import { apiVersionsResponse } from '../handlers/api-versions-handler.js';
import { NO_RESPONSE } from '../handlers/handler.js';
import type { BrokerServices, RequestContext } from '../handlers/handler.js';
import { handledVersions } from '../handlers/registry.js';
import type { AnyApiHandler, HandlerRegistry } from '../handlers/registry.js';
import { encodeResponseFrame } from './response-frame.js';

/**
 * A request the broker cannot serve on this connection: bytes that do not
 * decode, an API it does not handle, a version it does not support, a
 * handler that failed. Kafka closes the connection; so does the caller.
 */
export class ConnectionClosingError extends Error {
  override readonly name = 'ConnectionClosingError';
}

/** The response to one request: the frame's parts in write order, or NO_RESPONSE (acks=0). */
export type RequestOutcome = Buffer[] | typeof NO_RESPONSE;

/**
 * Decodes one request frame, runs its handler and encodes the response.
 * Throws ConnectionClosingError, synchronously, for a frame that cannot be
 * served, so the connection stops reading before the next frame; the promise
 * rejects with one when the handler fails or its response does not encode.
 */
export function dispatchRequest(frame: Buffer, connectionId: string, broker: BrokerServices, handlers: HandlerRegistry): Promise<RequestOutcome> {
  let header: RequestHeader;
  try {
    header = decodeRequestHeader(frame);
  } catch (error) {
    throw new ConnectionClosingError(`malformed request: ${messageOf(error)}`, { cause: error });
  }
  const { apiKey, apiVersion, correlationId, clientId } = header;
  const handler = handlers.handlerFor(apiKey);
  if (handler === undefined || !inVersionRange(handledVersions(handler), apiVersion)) {
    if (apiKey === ApiVersions.apiKey) {
      // KIP-511: a client newer than the broker learns which versions it may
      // use from a v0 response, the one every client can read.
      return Promise.resolve([encodeResponse(ApiVersions, 0, correlationId, apiVersionsResponse(ErrorCode.UNSUPPORTED_VERSION, handlers.advertised))]);
    }
    const served = handler === undefined ? 'an API this broker does not serve' : `supported versions ${handledVersions(handler)}`;
    throw new ConnectionClosingError(`${apiByKey(apiKey)?.name ?? 'unknown API'} (apiKey ${apiKey}) v${apiVersion} from client ${JSON.stringify(clientId)}: ${served}`);
  }
  let body: Record<string, unknown>;
  try {
    body = decodeRequest(frame).body;
  } catch (error) {
    const reason = error instanceof UnsupportedVersionError ? error.message : `malformed request: ${messageOf(error)}`;
    throw new ConnectionClosingError(reason, { cause: error });
  }
  const context: RequestContext<ApiSpec> = { api: handler.api, apiVersion, correlationId, clientId, connectionId, broker };
  const faults = faultsOf(broker.brokerId);
  if (!faults.empty) return respondWithFaults(faults, handler, body, context);
  return respond(handler, body, context);
}

/** A request while faults are injected (the test harness's faults on demand): see serveWithFaults. */
async function respondWithFaults(faults: RequestFaults, handler: AnyApiHandler, body: Record<string, unknown>, context: RequestContext<ApiSpec>): Promise<RequestOutcome> {
  try {
    const served = await serveWithFaults(faults, body, context, async (rest) => {
      const response = await handler.handle(rest, context);
      return response === NO_RESPONSE ? null : response;
    });
    return served ?? NO_RESPONSE;
  } catch (error) {
    throw new ConnectionClosingError(`${context.api.name} v${context.apiVersion}: ${messageOf(error)}`, { cause: error });
  }
}

async function respond(handler: AnyApiHandler, body: Record<string, unknown>, context: RequestContext<ApiSpec>): Promise<RequestOutcome> {
  const { api, apiVersion, correlationId } = context;
  const metrics = context.broker.metrics?.requests;
  const startedAt = performance.now();
  let response: Awaited<ReturnType<AnyApiHandler['handle']>>;
  try {
    response = await handler.handle(body, context);
  } catch (error) {
    metrics?.failed(api.name, secondsSince(startedAt));
    throw new ConnectionClosingError(`${api.name} v${apiVersion} handler failed: ${messageOf(error)}`, { cause: error });
  }
  if (response === NO_RESPONSE) {
    metrics?.answered(api.name, secondsSince(startedAt), undefined);
    return NO_RESPONSE;
  }
  try {
    const frame = encodeResponseFrame(api, apiVersion, correlationId, response);
    metrics?.answered(api.name, secondsSince(startedAt), response);
    return frame;
  } catch (error) {
    metrics?.failed(api.name, secondsSince(startedAt));
    throw new ConnectionClosingError(`${api.name} v${apiVersion} response does not encode: ${messageOf(error)}`, { cause: error });
  }
}

function secondsSince(startedAt: number): number {
  return (performance.now() - startedAt) / 1000;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
