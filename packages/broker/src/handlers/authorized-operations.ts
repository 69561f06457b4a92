// The authorized-operations fields of Metadata and DescribeCluster. kstream
// has no authorizer, so a client that asks is told every operation the
// resource type supports, as Kafka answers without one; a client that does
// not ask gets Kafka's "not computed" value.

/** Kafka's value of an authorized-operations field the client did not ask for. */
export const AUTHORIZED_OPERATIONS_OMITTED = -2147483648;

// Kafka's AclOperation codes.
const READ = 3;
const WRITE = 4;
const CREATE = 5;
const DELETE = 6;
const ALTER = 7;
const DESCRIBE = 8;
const CLUSTER_ACTION = 9;
const DESCRIBE_CONFIGS = 10;
const ALTER_CONFIGS = 11;
const IDEMPOTENT_WRITE = 12;

const bitField = (operations: readonly number[]) => operations.reduce((bits, op) => bits | (1 << op), 0);

/** Every operation Kafka supports on a topic (AclEntry.supportedOperations(TOPIC)). */
export const TOPIC_OPERATIONS = bitField([READ, WRITE, CREATE, DESCRIBE, DELETE, ALTER, DESCRIBE_CONFIGS, ALTER_CONFIGS]);

/** Every operation Kafka supports on the cluster (AclEntry.supportedOperations(CLUSTER)). */
export const CLUSTER_OPERATIONS = bitField([CREATE, CLUSTER_ACTION, DESCRIBE_CONFIGS, ALTER_CONFIGS, IDEMPOTENT_WRITE, ALTER, DESCRIBE]);
