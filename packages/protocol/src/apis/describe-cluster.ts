import { AUTHORIZED_OPERATIONS_OMITTED } from '../acl/authorized-operations.js';
import { defineApi, f } from '../schema/schema-types.js';

export const DescribeCluster = defineApi({
  apiKey: 60,
  name: 'DescribeCluster',
  validVersions: '0-1',
  flexibleVersions: '0+',
  request: [f.bool('includeClusterAuthorizedOperations', '0+'), f.int8('endpointType', '1+', { default: 1 })],
  response: [
    f.int32('throttleTimeMs', '0+'),
    f.int16('errorCode', '0+'),
    f.string('errorMessage', '0+', { nullable: '0+', default: null }),
    f.int8('endpointType', '1+', { default: 1 }),
    f.string('clusterId', '0+'),
    f.int32('controllerId', '0+', { default: -1 }),
    f.structs('brokers', '0+', [f.int32('brokerId', '0+'), f.string('host', '0+'), f.int32('port', '0+'), f.string('rack', '0+', { nullable: '0+', default: null })]),
    f.int32('clusterAuthorizedOperations', '0+', { default: AUTHORIZED_OPERATIONS_OMITTED }),
  ],
});
