import { defineApi, f } from '../schema/schema-types.js';

export const DeleteTopics = defineApi({
  apiKey: 20,
  name: 'DeleteTopics',
  validVersions: '0-6',
  flexibleVersions: '4+',
  request: [
    f.structs('topics', '6+', [f.string('name', '6+', { nullable: '6+', default: null }), f.uuid('topicId', '6+')]),
    f.array('topicNames', '0-5', 'string'),
    f.int32('timeoutMs', '0+'),
  ],
  response: [
    f.int32('throttleTimeMs', '1+'),
    f.structs('responses', '0+', [
      f.string('name', '0+', { nullable: '6+' }),
      f.uuid('topicId', '6+'),
      f.int16('errorCode', '0+'),
      f.string('errorMessage', '5+', { nullable: '5+', default: null }),
    ]),
  ],
});
