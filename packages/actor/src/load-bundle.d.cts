// The types of load-bundle.cjs, a plain JavaScript module (see there).

/** Runs a CommonJS bundle of sourceBundle's from V8's code cache kept beside it; returns its module.exports. */
export function loadBundle(bundle: URL | string): unknown;
