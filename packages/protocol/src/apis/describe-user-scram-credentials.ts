import { defineApi, f } from '../schema/schema-types.js';

export const DescribeUserScramCredentials = defineApi({
  apiKey: 50,
  name: 'DescribeUserScramCredentials',
  validVersions: '0',
  flexibleVersions: '0+',
  request: [f.structs('users', '0+', [f.string('name', '0+')], { nullable: '0+' })],
  response: [
    f.int32('throttleTimeMs', '0+'),
    f.int16('errorCode', '0+'),
    f.string('errorMessage', '0+', { nullable: '0+' }),
    f.structs('results', '0+', [
      f.string('user', '0+'),
      f.int16('errorCode', '0+'),
      f.string('errorMessage', '0+', { nullable: '0+' }),
      f.structs('credentialInfos', '0+', [f.int8('mechanism', '0+'), f.int32('iterations', '0+')]),
    ]),
  ],
});
