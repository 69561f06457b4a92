// The authorized-operations fields of Metadata, DescribeCluster and
// DescribeGroups (KIP-430): a 32-bit field with bit `n` set for each
// AclOperation code `n` the client may perform on the resource, or Kafka's
// "not computed" value when the client did not ask.

/** Kafka's value of an authorized-operations field the client did not ask for (Integer.MIN_VALUE). */
export const AUTHORIZED_OPERATIONS_OMITTED = -2147483648;

/** Kafka's AclOperation codes, as sent in the ACL APIs and as bit positions of an authorized-operations field. */
export const AclOperation = {
  UNKNOWN: 0,
  ANY: 1,
  ALL: 2,
  READ: 3,
  WRITE: 4,
  CREATE: 5,
  DELETE: 6,
  ALTER: 7,
  DESCRIBE: 8,
  CLUSTER_ACTION: 9,
  DESCRIBE_CONFIGS: 10,
  ALTER_CONFIGS: 11,
  IDEMPOTENT_WRITE: 12,
  CREATE_TOKENS: 13,
  DESCRIBE_TOKENS: 14,
} as const;

export type AclOperationCode = (typeof AclOperation)[keyof typeof AclOperation];

/** The authorized-operations field holding `operations` (Kafka's Utils.to32BitField). */
export function authorizedOperationsField(operations: readonly AclOperationCode[]): number {
  return operations.reduce<number>((bits, operation) => bits | (1 << operation), 0);
}

const { READ, WRITE, CREATE, DELETE, ALTER, DESCRIBE, CLUSTER_ACTION, DESCRIBE_CONFIGS, ALTER_CONFIGS, IDEMPOTENT_WRITE } = AclOperation;

/** Every operation Kafka supports on a topic (AclEntry.supportedOperations(TOPIC)): what a broker without an authorizer tells. */
export const TOPIC_OPERATIONS = authorizedOperationsField([READ, WRITE, CREATE, DESCRIBE, DELETE, ALTER, DESCRIBE_CONFIGS, ALTER_CONFIGS]);

/** Every operation Kafka supports on the cluster (AclEntry.supportedOperations(CLUSTER)). */
export const CLUSTER_OPERATIONS = authorizedOperationsField([CREATE, CLUSTER_ACTION, DESCRIBE_CONFIGS, ALTER_CONFIGS, IDEMPOTENT_WRITE, ALTER, DESCRIBE]);

/** Every operation Kafka supports on a group (AclEntry.supportedOperations(GROUP)). */
export const GROUP_OPERATIONS = authorizedOperationsField([READ, DESCRIBE, DELETE]);
