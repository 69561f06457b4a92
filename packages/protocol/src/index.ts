export * from './schema/schema-types.js';
export * from './records/crc32c.js';
export * from './records/record-batch-header.js';
export { ApiVersions } from './apis/api-versions.js';
