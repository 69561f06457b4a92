import { defineApi, f } from '../schema/schema-types.js';

export const AlterUserScramCredentials = defineApi({
  apiKey: 51,
  name: 'AlterUserScramCredentials',
  validVersions: '0',
  flexibleVersions: '0+',
  request: [
    f.structs('deletions', '0+', [f.string('name', '0+'), f.int8('mechanism', '0+')]),
    f.structs('upsertions', '0+', [f.string('name', '0+'), f.int8('mechanism', '0+'), f.int32('iterations', '0+'), f.bytes('salt', '0+'), f.bytes('saltedPassword', '0+')]),
  ],
  response: [f.int32('throttleTimeMs', '0+'), f.structs('results', '0+', [f.string('user', '0+'), f.int16('errorCode', '0+'), f.string('errorMessage', '0+', { nullable: '0+' })])],
});
