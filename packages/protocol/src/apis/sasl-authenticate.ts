import { defineApi, f } from '../schema/schema-types.js';

export const SaslAuthenticate = defineApi({
  apiKey: 36,
  name: 'SaslAuthenticate',
  validVersions: '0-2',
  flexibleVersions: '2+',
  request: [f.bytes('authBytes', '0+')],
  response: [f.int16('errorCode', '0+'), f.string('errorMessage', '0+', { nullable: '0+' }), f.bytes('authBytes', '0+'), f.int64('sessionLifetimeMs', '1+')],
});
