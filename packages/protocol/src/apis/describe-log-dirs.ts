import { defineApi, f } from '../schema/schema-types.js';

export const DescribeLogDirs = defineApi({
  apiKey: 35,
  name: 'DescribeLogDirs',
  validVersions: '0-4',
  flexibleVersions: '2+',
  request: [f.structs('topics', '0+', [f.string('topic', '0+'), f.array('partitions', '0+', 'int32')], { nullable: '0+' })],
  response: [
    f.int32('throttleTimeMs', '0+'),
    f.int16('errorCode', '3+'),
    f.structs('results', '0+', [
      f.int16('errorCode', '0+'),
      f.string('logDir', '0+'),
      f.structs('topics', '0+', [
        f.string('name', '0+'),
        f.structs('partitions', '0+', [f.int32('partitionIndex', '0+'), f.int64('partitionSize', '0+'), f.int64('offsetLag', '0+'), f.bool('isFutureKey', '0+')]),
      ]),
      f.int64('totalBytes', '4+', { default: -1n }),
      f.int64('usableBytes', '4+', { default: -1n }),
    ]),
  ],
});
