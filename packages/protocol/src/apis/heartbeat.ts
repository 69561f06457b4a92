import { defineApi, f } from '../schema/schema-types.js';

export const Heartbeat = defineApi({
  apiKey: 12,
  name: 'Heartbeat',
  validVersions: '0-4',
  flexibleVersions: '4+',
  request: [f.string('groupId', '0+'), f.int32('generationId', '0+'), f.string('memberId', '0+'), f.string('groupInstanceId', '3+', { nullable: '3+', default: null })],
  response: [f.int32('throttleTimeMs', '1+'), f.int16('errorCode', '0+')],
});
