import { defineApi, f } from '../schema/schema-types.js';

export const AddOffsetsToTxn = defineApi({
  apiKey: 25,
  name: 'AddOffsetsToTxn',
  validVersions: '0-4',
  flexibleVersions: '3+',
  request: [f.string('transactionalId', '0+'), f.int64('producerId', '0+'), f.int16('producerEpoch', '0+'), f.string('groupId', '0+')],
  response: [f.int32('throttleTimeMs', '0+'), f.int16('errorCode', '0+')],
});
