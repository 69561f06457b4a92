// Options every client shares, and the validators each area's options use.
export * from './client-options.js';
export * from './option-validators.js';
