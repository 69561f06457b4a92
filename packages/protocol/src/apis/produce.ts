import { defineApi, f } from '../schema/schema-types.js';

export const Produce = defineApi({
  apiKey: 0,
  name: 'Produce',
  validVersions: '3-11',
  flexibleVersions: '9+',
  request: [
    f.string('transactionalId', '3+', { nullable: '3+', default: null }),
    f.int16('acks', '0+'),
    f.int32('timeoutMs', '0+'),
    f.structs('topicData', '0+', [f.string('name', '0+'), f.structs('partitionData', '0+', [f.int32('index', '0+'), f.records('records', '0+', { nullable: '0+' })])]),
  ],
  response: [
    f.structs('responses', '0+', [
      f.string('name', '0+'),
      f.structs('partitionResponses', '0+', [
        f.int32('index', '0+'),
        f.int16('errorCode', '0+'),
        f.int64('baseOffset', '0+'),
        f.int64('logAppendTimeMs', '2+', { default: -1n }),
        f.int64('logStartOffset', '5+', { default: -1n }),
        f.structs('recordErrors', '8+', [f.int32('batchIndex', '8+'), f.string('batchIndexErrorMessage', '8+', { nullable: '8+', default: null })]),
        f.string('errorMessage', '8+', { nullable: '8+', default: null }),
        f.struct('currentLeader', '10+', [f.int32('leaderId', '10+', { default: -1 }), f.int32('leaderEpoch', '10+', { default: -1 })], { tagged: { versions: '10+', tag: 0 } }),
      ]),
    ]),
    f.int32('throttleTimeMs', '1+'),
    f.structs('nodeEndpoints', '10+', [f.int32('nodeId', '10+'), f.string('host', '10+'), f.int32('port', '10+'), f.string('rack', '10+', { nullable: '10+', default: null })], {
      tagged: { versions: '10+', tag: 0 },
    }),
  ],
});
