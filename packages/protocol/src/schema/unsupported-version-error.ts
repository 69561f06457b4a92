/**
 * A request for an API key kstream has no schema for, or for a version
 * outside the API's validVersions. It carries the key and version so the
 * broker can answer (for ApiVersions, with the KIP-511 fallback that lists
 * the versions it does support).
 */
export class UnsupportedVersionError extends Error {
  override readonly name = 'UnsupportedVersionError';

  constructor(
    readonly apiKey: number,
    readonly apiVersion: number,
    /** The API's name and supported versions when kstream knows the key. */
    readonly api?: { readonly name: string; readonly validVersions: string },
  ) {
    // No stack trace: this is an expected answer to a client's probe, turned into an error code by the broker.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(
      api === undefined
        ? `unsupported API key ${apiKey} (version ${apiVersion})`
        : `unsupported version ${apiVersion} of ${api.name} (apiKey ${apiKey}); supported versions are ${api.validVersions}`,
    );
    Error.stackTraceLimit = limit;
  }
}
