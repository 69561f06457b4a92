import { setTimeout as sleep } from 'node:timers/promises';
import { errorInfo, FindCoordinator, inVersionRange } from '@kstream/protocol';
import type { ApiSpec } from '@kstream/protocol';
import type { RequestContext } from '../handlers/handler.js';
import { encodeResponseFrame } from '../network/response-frame.js';
import { hasPartitions, mergePartitionErrors, PARTITIONED_APIS, splitRequest } from './partitioned-apis.js';
import { partitionMatches } from './request-fault.js';
import type { RequestFaults } from './request-faults.js';
import { topLevelErrorCode } from './request-faults.js';

type Body = Record<string, unknown>;
/** The handler's answer for a body (run when no fault answers, or for the partitions a fault spares): a response, or null for acks=0. */
type Serve = (body: Body) => Promise<Body | null>;

/** Thrown to close the connection without an answer (a drop fault); the dispatcher turns it into its ConnectionClosingError. */
export class DroppedByFaultError extends Error {
  override readonly name = 'DroppedByFaultError';
}

/**
 * Serves one request through the faults: answers an injected error (for
 * the whole request, or the partitions a fault names while the handler
 * serves the others), waits out a delay first, or throws
 * DroppedByFaultError. Resolves with the encoded response parts, or null
 * for no response (acks=0).
 */
export async function serveWithFaults(faults: RequestFaults, body: Body, context: RequestContext<ApiSpec>, serve: Serve): Promise<Buffer[] | null> {
  const { api, apiVersion, correlationId, clientId, broker } = context;
  const decision = faults.decide(api, apiVersion, clientId, body, broker.metadata);
  switch (decision.kind) {
    case 'none':
      return encodeOrNone(context, await serve(body));
    case 'delay':
      await sleep(decision.ms);
      return encodeOrNone(context, await serve(body));
    case 'drop':
      throw new DroppedByFaultError(`${api.name} v${apiVersion} from client ${JSON.stringify(clientId)}: connection dropped by injected fault ${decision.fault.id}`);
    case 'error': {
      const { errorCode, fault } = decision;
      if (PARTITIONED_APIS.includes(api.name)) {
        const { rest, removed } = splitRequest(api.name, body, broker.metadata, (p) => partitionMatches(fault, p));
        const served = hasPartitions(api.name, rest) ? await serve(rest) : {};
        // acks=0: the producer reads no answer, errors included.
        if (served === null) return null;
        return encodeResponseFrame(api, apiVersion, correlationId, mergePartitionErrors(api.name, served, removed, errorCode));
      }
      return encodeResponseFrame(api, apiVersion, correlationId, wholeRequestError(api, apiVersion, body, errorCode));
    }
  }
}

function encodeOrNone(context: RequestContext<ApiSpec>, response: Body | null): Buffer[] | null {
  return response === null ? null : encodeResponseFrame(context.api, context.apiVersion, context.correlationId, response);
}

/** A response answering `errorCode` for the whole request: its top-level errorCode, or (FindCoordinator v4+) each key's. */
function wholeRequestError(api: ApiSpec, apiVersion: number, body: Body, errorCode: number): Body {
  const errorMessage = `${errorInfo(errorCode).name} (injected fault)`;
  if (api === FindCoordinator && !inVersionRange(topLevelErrorCode(api), apiVersion)) {
    const keys = (body['coordinatorKeys'] ?? []) as string[];
    return { coordinators: keys.map((key) => ({ key, nodeId: -1, host: '', port: -1, errorCode, errorMessage })) };
  }
  return api === FindCoordinator ? { errorCode, errorMessage, nodeId: -1, host: '', port: -1 } : { errorCode };
}
