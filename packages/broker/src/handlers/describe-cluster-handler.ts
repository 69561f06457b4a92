// DescribeCluster v0–1
// - Lists the live (registered, unfenced) brokers, the cluster id, and as
//   controllerId the lowest live broker id, as Metadata does.
// - endpointType (v1+): brokers (1) only; asking a broker for controller
//   endpoints (2) is UNSUPPORTED_ENDPOINT_TYPE, as in Kafka.
// - clusterAuthorizedOperations: every cluster operation when asked for
//   (there is no authorizer), -2147483648 when not.
import { AUTHORIZED_OPERATIONS_OMITTED, CLUSTER_OPERATIONS, DescribeCluster, ErrorCode } from '@kstream/protocol';
import type { ApiHandler } from './handler.js';

const BROKER_ENDPOINTS = 1;

export const describeClusterHandler: ApiHandler<typeof DescribeCluster> = {
  api: DescribeCluster,
  async handle(request, { broker }) {
    const { metadata } = broker;
    const brokers = metadata.liveBrokers();
    const supported = request.endpointType === BROKER_ENDPOINTS;
    return {
      throttleTimeMs: 0,
      errorCode: supported ? ErrorCode.NONE : ErrorCode.UNSUPPORTED_ENDPOINT_TYPE,
      errorMessage: supported ? null : `Endpoint type ${request.endpointType} is not served by brokers; they describe broker endpoints (1)`,
      endpointType: request.endpointType,
      clusterId: metadata.clusterId ?? '',
      controllerId: brokers[0]?.brokerId ?? -1,
      brokers: supported ? brokers.map(({ brokerId, host, port }) => ({ brokerId, host, port, rack: null })) : [],
      clusterAuthorizedOperations: request.includeClusterAuthorizedOperations ? CLUSTER_OPERATIONS : AUTHORIZED_OPERATIONS_OMITTED,
    };
  },
};
