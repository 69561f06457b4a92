import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import type { CompressionCodec } from './compression.js';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** gzip (RFC 1952) at zlib's default level 6, which is also Java's GZIPOutputStream default that Kafka uses. */
export const gzipCodec: CompressionCodec = {
  name: 'gzip',
  compress: (data) => gzipAsync(data),
  decompress: (data) => gunzipAsync(data),
};
