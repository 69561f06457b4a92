import { defineApi, f } from '../schema/schema-types.js';

export const EndTxn = defineApi({
  apiKey: 26,
  name: 'EndTxn',
  validVersions: '0-4',
  flexibleVersions: '3+',
  request: [f.string('transactionalId', '0+'), f.int64('producerId', '0+'), f.int16('producerEpoch', '0+'), f.bool('committed', '0+')],
  response: [f.int32('throttleTimeMs', '0+'), f.int16('errorCode', '0+')],
});
