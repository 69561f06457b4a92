import { defineApi, f } from '../schema/schema-types.js';

export const FindCoordinator = defineApi({
  apiKey: 10,
  name: 'FindCoordinator',
  validVersions: '0-5',
  flexibleVersions: '3+',
  request: [f.string('key', '0-3'), f.int8('keyType', '1+'), f.array('coordinatorKeys', '4+', 'string')],
  response: [
    f.int32('throttleTimeMs', '1+'),
    f.int16('errorCode', '0-3'),
    f.string('errorMessage', '1-3', { nullable: '1-3' }),
    f.int32('nodeId', '0-3'),
    f.string('host', '0-3'),
    f.int32('port', '0-3'),
    f.structs('coordinators', '4+', [
      f.string('key', '4+'),
      f.int32('nodeId', '4+'),
      f.string('host', '4+'),
      f.int32('port', '4+'),
      f.int16('errorCode', '4+'),
      f.string('errorMessage', '4+', { nullable: '4+' }),
    ]),
  ],
});
