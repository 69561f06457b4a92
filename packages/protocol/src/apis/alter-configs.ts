import { defineApi, f } from '../schema/schema-types.js';

export const AlterConfigs = defineApi({
  apiKey: 33,
  name: 'AlterConfigs',
  validVersions: '0-2',
  flexibleVersions: '2+',
  request: [
    f.structs('resources', '0+', [
      f.int8('resourceType', '0+'),
      f.string('resourceName', '0+'),
      f.structs('configs', '0+', [f.string('name', '0+'), f.string('value', '0+', { nullable: '0+' })]),
    ]),
    f.bool('validateOnly', '0+'),
  ],
  response: [
    f.int32('throttleTimeMs', '0+'),
    f.structs('responses', '0+', [f.int16('errorCode', '0+'), f.string('errorMessage', '0+', { nullable: '0+' }), f.int8('resourceType', '0+'), f.string('resourceName', '0+')]),
  ],
});
