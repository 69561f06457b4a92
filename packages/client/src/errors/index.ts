// Typed errors every area of the client throws, and the shared retry loop.
export * from './kafka-client-error.js';
export * from './retry.js';
