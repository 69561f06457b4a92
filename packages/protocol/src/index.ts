// The public surface of @kstream/protocol.

// Schema language, version ranges, inferred message types and the codec.
export * from './schema/schema-types.js';
export * from './schema/versions.js';
export * from './schema/message-types.js';
export * from './schema/codec.js';
export * from './schema/data-message.js';
export { ZERO_UUID } from './schema/field-defaults.js';
export * from './schema/unsupported-version-error.js';

// Primitives.
export * from './primitives/byte-reader.js';
export * from './primitives/byte-writer.js';
export * from './primitives/protocol-error.js';

// Headers and frames.
export * from './frame/frame-codec.js';
export * from './frame/frame-reader.js';
export * from './frame/frame-size.js';
export * from './frame/request-header.js';
export * from './frame/response-header.js';

// API schemas.
export * from './apis/registry.js';
export * from './apis/fetch-session-epochs.js';
export * from './apis/broker-apis.js';
export * from './apis/group-apis.js';
export * from './apis/add-offsets-to-txn.js';
export * from './apis/add-partitions-to-txn.js';
export * from './apis/alter-configs.js';
export * from './apis/alter-partition-reassignments.js';
export * from './apis/alter-user-scram-credentials.js';
export * from './apis/api-versions.js';
export * from './apis/consumer-group-describe.js';
export * from './apis/consumer-group-heartbeat.js';
export * from './apis/create-acls.js';
export * from './apis/create-partitions.js';
export * from './apis/create-topics.js';
export * from './apis/delete-acls.js';
export * from './apis/delete-groups.js';
export * from './apis/delete-records.js';
export * from './apis/delete-topics.js';
export * from './apis/describe-acls.js';
export * from './apis/describe-cluster.js';
export * from './apis/describe-configs.js';
export * from './apis/describe-groups.js';
export * from './apis/describe-log-dirs.js';
export * from './apis/describe-producers.js';
export * from './apis/describe-transactions.js';
export * from './apis/describe-user-scram-credentials.js';
export * from './apis/elect-leaders.js';
export * from './apis/end-txn.js';
export * from './apis/fetch.js';
export * from './apis/find-coordinator.js';
export * from './apis/heartbeat.js';
export * from './apis/incremental-alter-configs.js';
export * from './apis/init-producer-id.js';
export * from './apis/join-group.js';
export * from './apis/leave-group.js';
export * from './apis/list-groups.js';
export * from './apis/list-offsets.js';
export * from './apis/list-partition-reassignments.js';
export * from './apis/list-transactions.js';
export * from './apis/metadata.js';
export * from './apis/offset-commit.js';
export * from './apis/offset-delete.js';
export * from './apis/offset-fetch.js';
export * from './apis/offset-for-leader-epoch.js';
export * from './apis/produce.js';
export * from './apis/sasl-authenticate.js';
export * from './apis/sasl-handshake.js';
export * from './apis/sync-group.js';
export * from './apis/txn-offset-commit.js';
export * from './apis/write-txn-markers.js';

// Records, consumer protocol payloads, error codes, authorized operations.
export * from './acl/authorized-operations.js';
export * from './consumer-protocol/consumer-protocol-assignment.js';
export * from './consumer-protocol/consumer-protocol-codec.js';
export * from './consumer-protocol/consumer-protocol-spec.js';
export * from './consumer-protocol/consumer-protocol-subscription.js';
export * from './errors/error-codes.js';
export * from './records/compression-gzip.js';
export * from './records/compression-lz4.js';
export * from './records/compression-snappy.js';
export * from './records/compression-zstd-frame.js';
export * from './records/compression-zstd.js';
export * from './records/compression.js';
export * from './records/control-record.js';
export * from './records/crc32c.js';
export * from './records/record-batch-attributes.js';
export * from './records/record-batch-error.js';
export * from './records/record-batch-header.js';
export * from './records/record-batch.js';
export * from './records/record-batches.js';
export * from './records/record-reader.js';
export * from './records/record-varint.js';
export * from './records/record.js';
