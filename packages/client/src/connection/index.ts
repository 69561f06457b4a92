// One connection per broker: ApiVersions negotiation, pipelined requests.
export * from './broker-connection.js';
export { NegotiatedVersions } from './negotiated-versions.js';
