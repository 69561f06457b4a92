// Kafka's key and value messages of __consumer_offsets (OffsetCommitKey,
// OffsetCommitValue, GroupMetadataKey, GroupMetadataValue in Kafka's
// group-coordinator message JSON), as data messages: a 2-byte version, then
// the struct. A key's version says which record it is — 0 and 1 an offset
// commit, 2 a group — so each key schema holds only its own versions; later
// record types (KIP-848's consumer groups, 3 and up) are not ours to read.
import { defineDataMessage, f } from '@kstream/protocol';

export const OffsetCommitKeySchema = defineDataMessage({
  name: 'OffsetCommitKey',
  validVersions: '0-1',
  flexibleVersions: 'none',
  fields: [f.string('group', '0+'), f.string('topic', '0+'), f.int32('partition', '0+')],
});

export const GroupMetadataKeySchema = defineDataMessage({
  name: 'GroupMetadataKey',
  validVersions: '2',
  flexibleVersions: 'none',
  fields: [f.string('group', '2')],
});

export const OffsetCommitValueSchema = defineDataMessage({
  name: 'OffsetCommitValue',
  validVersions: '0-4',
  flexibleVersions: '4+',
  fields: [
    f.int64('offset', '0+'),
    f.int32('leaderEpoch', '3+', { default: -1 }),
    f.string('metadata', '0+'),
    f.int64('commitTimestamp', '0+'),
    f.int64('expireTimestamp', '1', { default: -1n }),
  ],
});

export const GroupMetadataValueSchema = defineDataMessage({
  name: 'GroupMetadataValue',
  validVersions: '0-4',
  flexibleVersions: '4+',
  fields: [
    f.string('protocolType', '0+'),
    f.int32('generation', '0+'),
    f.string('protocol', '0+', { nullable: '0+' }),
    f.string('leader', '0+', { nullable: '0+' }),
    f.int64('currentStateTimestamp', '2+', { default: -1n }),
    f.structs('members', '0+', [
      f.string('memberId', '0+'),
      f.string('groupInstanceId', '3+', { nullable: '3+', default: null }),
      f.string('clientId', '0+'),
      f.string('clientHost', '0+'),
      f.int32('rebalanceTimeout', '1+'),
      f.int32('sessionTimeout', '0+'),
      f.bytes('subscription', '0+'),
      f.bytes('assignment', '0+'),
    ]),
  ],
});

/** The key versions Kafka 3.x writes: an offset commit's, a group's. */
export const OFFSET_COMMIT_KEY_VERSION = 1;
export const GROUP_METADATA_KEY_VERSION = 2;
/** Kafka 3.x writes OffsetCommitValue v3, or v1 when the commit carries an expire timestamp (OffsetCommit v1's retention); GroupMetadataValue v3. */
export const OFFSET_COMMIT_VALUE_VERSION = 3;
export const OFFSET_COMMIT_VALUE_VERSION_WITH_EXPIRY = 1;
export const GROUP_METADATA_VALUE_VERSION = 3;
