import { defineApi, f } from '../schema/schema-types.js';

export const LeaveGroup = defineApi({
  apiKey: 13,
  name: 'LeaveGroup',
  validVersions: '0-5',
  flexibleVersions: '4+',
  request: [
    f.string('groupId', '0+'),
    f.string('memberId', '0-2'),
    f.structs('members', '3+', [
      f.string('memberId', '3+'),
      f.string('groupInstanceId', '3+', { nullable: '3+', default: null }),
      f.string('reason', '5+', { nullable: '5+', default: null }),
    ]),
  ],
  response: [
    f.int32('throttleTimeMs', '1+'),
    f.int16('errorCode', '0+'),
    f.structs('members', '3+', [f.string('memberId', '3+'), f.string('groupInstanceId', '3+', { nullable: '3+' }), f.int16('errorCode', '3+')]),
  ],
});
