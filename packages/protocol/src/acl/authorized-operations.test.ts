import { describe, expect, it } from 'vitest';
import { AclOperation, AUTHORIZED_OPERATIONS_OMITTED, CLUSTER_OPERATIONS, GROUP_OPERATIONS, TOPIC_OPERATIONS, authorizedOperationsField } from './authorized-operations.js';

/** The AclOperation names whose bits `field` sets, as a client decodes it. */
const operationsOf = (field: number) =>
  Object.entries(AclOperation)
    .filter(([, code]) => (field & (1 << code)) !== 0)
    .map(([name]) => name)
    .sort();

describe('authorized operations', () => {
  it('supportedOperationsPerResourceType: the sets Kafka names for topics, the cluster and groups', () => {
    expect(operationsOf(TOPIC_OPERATIONS)).toEqual(['ALTER', 'ALTER_CONFIGS', 'CREATE', 'DELETE', 'DESCRIBE', 'DESCRIBE_CONFIGS', 'READ', 'WRITE']);
    expect(operationsOf(CLUSTER_OPERATIONS)).toEqual(['ALTER', 'ALTER_CONFIGS', 'CLUSTER_ACTION', 'CREATE', 'DESCRIBE', 'DESCRIBE_CONFIGS', 'IDEMPOTENT_WRITE']);
    expect(operationsOf(GROUP_OPERATIONS)).toEqual(['DELETE', 'DESCRIBE', 'READ']);
  });

  it('noOperationsIsZeroNotTheOmittedValue', () => {
    expect(authorizedOperationsField([])).toBe(0);
    expect(authorizedOperationsField([])).not.toBe(AUTHORIZED_OPERATIONS_OMITTED);
    expect(operationsOf(authorizedOperationsField([AclOperation.DESCRIBE_TOKENS, AclOperation.UNKNOWN]))).toEqual(['DESCRIBE_TOKENS', 'UNKNOWN']);
  });
});
