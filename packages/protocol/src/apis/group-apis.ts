import type { ApiSpec } from '../schema/schema-types.js';
import { FindCoordinator } from './find-coordinator.js';
import { JoinGroup } from './join-group.js';
import { SyncGroup } from './sync-group.js';
import { Heartbeat } from './heartbeat.js';
import { LeaveGroup } from './leave-group.js';
import { OffsetCommit } from './offset-commit.js';
import { OffsetFetch } from './offset-fetch.js';
import { ListGroups } from './list-groups.js';
import { DescribeGroups } from './describe-groups.js';
import { DeleteGroups } from './delete-groups.js';
import { OffsetDelete } from './offset-delete.js';
import { InitProducerId } from './init-producer-id.js';
import { AddPartitionsToTxn } from './add-partitions-to-txn.js';
import { AddOffsetsToTxn } from './add-offsets-to-txn.js';
import { EndTxn } from './end-txn.js';
import { TxnOffsetCommit } from './txn-offset-commit.js';
import { WriteTxnMarkers } from './write-txn-markers.js';
import { DescribeTransactions } from './describe-transactions.js';
import { ListTransactions } from './list-transactions.js';
import { ConsumerGroupHeartbeat } from './consumer-group-heartbeat.js';
import { ConsumerGroupDescribe } from './consumer-group-describe.js';

/** Consumer group, offset and transaction APIs. */
export const GROUP_APIS: readonly ApiSpec[] = [
  FindCoordinator,
  JoinGroup,
  SyncGroup,
  Heartbeat,
  LeaveGroup,
  OffsetCommit,
  OffsetFetch,
  ListGroups,
  DescribeGroups,
  DeleteGroups,
  OffsetDelete,
  InitProducerId,
  AddPartitionsToTxn,
  AddOffsetsToTxn,
  EndTxn,
  TxnOffsetCommit,
  WriteTxnMarkers,
  DescribeTransactions,
  ListTransactions,
  ConsumerGroupHeartbeat,
  ConsumerGroupDescribe,
];
