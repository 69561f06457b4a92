import { defineApi, f } from '../schema/schema-types.js';

export const CreatePartitions = defineApi({
  apiKey: 37,
  name: 'CreatePartitions',
  validVersions: '0-3',
  flexibleVersions: '2+',
  request: [
    f.structs('topics', '0+', [f.string('name', '0+'), f.int32('count', '0+'), f.structs('assignments', '0+', [f.array('brokerIds', '0+', 'int32')], { nullable: '0+' })]),
    f.int32('timeoutMs', '0+'),
    f.bool('validateOnly', '0+'),
  ],
  response: [
    f.int32('throttleTimeMs', '0+'),
    f.structs('results', '0+', [f.string('name', '0+'), f.int16('errorCode', '0+'), f.string('errorMessage', '0+', { nullable: '0+', default: null })]),
  ],
});
