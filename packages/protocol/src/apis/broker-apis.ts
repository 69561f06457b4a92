import type { ApiSpec } from '../schema/schema-types.js';
import { AlterConfigs } from './alter-configs.js';
import { AlterPartitionReassignments } from './alter-partition-reassignments.js';
import { AlterUserScramCredentials } from './alter-user-scram-credentials.js';
import { ApiVersions } from './api-versions.js';
import { CreateAcls } from './create-acls.js';
import { CreatePartitions } from './create-partitions.js';
import { CreateTopics } from './create-topics.js';
import { DeleteAcls } from './delete-acls.js';
import { DeleteRecords } from './delete-records.js';
import { DeleteTopics } from './delete-topics.js';
import { DescribeAcls } from './describe-acls.js';
import { DescribeCluster } from './describe-cluster.js';
import { DescribeConfigs } from './describe-configs.js';
import { DescribeLogDirs } from './describe-log-dirs.js';
import { DescribeProducers } from './describe-producers.js';
import { DescribeUserScramCredentials } from './describe-user-scram-credentials.js';
import { ElectLeaders } from './elect-leaders.js';
import { Fetch } from './fetch.js';
import { IncrementalAlterConfigs } from './incremental-alter-configs.js';
import { ListPartitionReassignments } from './list-partition-reassignments.js';
import { ListOffsets } from './list-offsets.js';
import { Metadata } from './metadata.js';
import { OffsetForLeaderEpoch } from './offset-for-leader-epoch.js';
import { Produce } from './produce.js';
import { SaslAuthenticate } from './sasl-authenticate.js';
import { SaslHandshake } from './sasl-handshake.js';

/** Cluster, topic, produce/fetch, config, ACL and SASL APIs. */
export const BROKER_APIS: readonly ApiSpec[] = [
  ApiVersions,
  Metadata,
  Produce,
  Fetch,
  ListOffsets,
  CreateTopics,
  DeleteTopics,
  CreatePartitions,
  DescribeConfigs,
  AlterConfigs,
  IncrementalAlterConfigs,
  DeleteRecords,
  DescribeCluster,
  DescribeLogDirs,
  OffsetForLeaderEpoch,
  ElectLeaders,
  AlterPartitionReassignments,
  ListPartitionReassignments,
  DescribeProducers,
  SaslHandshake,
  SaslAuthenticate,
  DescribeAcls,
  CreateAcls,
  DeleteAcls,
  DescribeUserScramCredentials,
  AlterUserScramCredentials,
];
