import { defineApi, f } from '../schema/schema-types.js';

export const ListGroups = defineApi({
  apiKey: 16,
  name: 'ListGroups',
  validVersions: '0-5',
  flexibleVersions: '3+',
  request: [f.array('statesFilter', '4+', 'string'), f.array('typesFilter', '5+', 'string')],
  response: [
    f.int32('throttleTimeMs', '1+'),
    f.int16('errorCode', '0+'),
    f.structs('groups', '0+', [f.string('groupId', '0+'), f.string('protocolType', '0+'), f.string('groupState', '4+'), f.string('groupType', '5+')]),
  ],
});
