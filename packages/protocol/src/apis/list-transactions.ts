import { defineApi, f } from '../schema/schema-types.js';

export const ListTransactions = defineApi({
  apiKey: 66,
  name: 'ListTransactions',
  validVersions: '0-1',
  flexibleVersions: '0+',
  request: [f.array('stateFilters', '0+', 'string'), f.array('producerIdFilters', '0+', 'int64'), f.int64('durationFilter', '1+', { default: -1n })],
  response: [
    f.int32('throttleTimeMs', '0+'),
    f.int16('errorCode', '0+'),
    f.array('unknownStateFilters', '0+', 'string'),
    f.structs('transactionStates', '0+', [f.string('transactionalId', '0+'), f.int64('producerId', '0+'), f.string('transactionState', '0+')]),
  ],
});
