import { defineApi, f } from '../schema/schema-types.js';

export const ApiVersions = defineApi({
  apiKey: 18,
  name: 'ApiVersions',
  validVersions: '0-4',
  flexibleVersions: '3+',
  request: [f.string('clientSoftwareName', '3+'), f.string('clientSoftwareVersion', '3+')],
  response: [
    f.int16('errorCode', '0+'),
    f.structs('apiKeys', '0+', [f.int16('apiKey', '0+'), f.int16('minVersion', '0+'), f.int16('maxVersion', '0+')]),
    f.int32('throttleTimeMs', '1+'),
    f.structs('supportedFeatures', '3+', [f.string('name', '3+'), f.int16('minVersion', '3+'), f.int16('maxVersion', '3+')], { tagged: { versions: '3+', tag: 0 } }),
    f.int64('finalizedFeaturesEpoch', '3+', { tagged: { versions: '3+', tag: 1 }, default: -1n }),
    f.structs('finalizedFeatures', '3+', [f.string('name', '3+'), f.int16('maxVersionLevel', '3+'), f.int16('minVersionLevel', '3+')], { tagged: { versions: '3+', tag: 2 } }),
    f.bool('zkMigrationReady', '3+', { tagged: { versions: '3+', tag: 3 }, default: false }),
  ],
});
