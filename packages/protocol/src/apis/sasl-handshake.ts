import { defineApi, f } from '../schema/schema-types.js';

export const SaslHandshake = defineApi({
  apiKey: 17,
  name: 'SaslHandshake',
  validVersions: '0-1',
  flexibleVersions: 'none',
  request: [f.string('mechanism', '0+')],
  response: [f.int16('errorCode', '0+'), f.array('mechanisms', '0+', 'string')],
});
