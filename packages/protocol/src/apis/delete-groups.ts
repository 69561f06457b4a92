import { defineApi, f } from '../schema/schema-types.js';

export const DeleteGroups = defineApi({
  apiKey: 42,
  name: 'DeleteGroups',
  validVersions: '0-2',
  flexibleVersions: '2+',
  request: [f.array('groupsNames', '0+', 'string')],
  response: [f.int32('throttleTimeMs', '0+'), f.structs('results', '0+', [f.string('groupId', '0+'), f.int16('errorCode', '0+')])],
});
