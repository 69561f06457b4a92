// One connection per broker: ApiVersions negotiation, pipelined requests.
export { BrokerConnection, MAX_RESPONSE_FRAME_BYTES, type BrokerTarget } from './broker-connection.js';
