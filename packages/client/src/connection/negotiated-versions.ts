// The version of each API both sides of a connection speak: the client
// supports every version protocol has a schema for (ApiSpec.validVersions),
// the broker what its ApiVersions response lists; the highest common one wins.
import { parseVersionRange, type ApiSpec, type ResponseOf, type ApiVersions } from '@kstream/protocol';
import { KafkaUnsupportedVersionError } from '../errors/kafka-client-error.js';

type BrokerApiKeys = ResponseOf<typeof ApiVersions>['apiKeys'];

export class NegotiatedVersions {
  // Indexed by API key: the broker's range, -1 where it has none.
  private readonly brokerMin: Int16Array;
  private readonly brokerMax: Int16Array;
  // The chosen version per API key, cached on first use; -1 not yet computed, -2 none in common.
  private readonly chosen: Int16Array;

  constructor(
    apiKeys: BrokerApiKeys,
    private readonly label: string,
  ) {
    const size = apiKeys.reduce((max, k) => Math.max(max, k.apiKey + 1), 0);
    this.brokerMin = new Int16Array(size).fill(-1);
    this.brokerMax = new Int16Array(size).fill(-1);
    this.chosen = new Int16Array(size).fill(-1);
    for (const { apiKey, minVersion, maxVersion } of apiKeys) {
      if (apiKey < 0) continue;
      this.brokerMin[apiKey] = minVersion;
      this.brokerMax[apiKey] = maxVersion;
    }
  }

  /** The broker's range for `apiKey`, if it lists it. */
  brokerRange(apiKey: number): { min: number; max: number } | undefined {
    const max = this.brokerMax[apiKey] ?? -1;
    return max < 0 ? undefined : { min: this.brokerMin[apiKey]!, max };
  }

  /** The highest common version, at least `minVersion`; undefined when there is none. */
  highest(api: ApiSpec, minVersion = 0): number | undefined {
    const key = api.apiKey;
    let version = this.chosen[key];
    if (version === undefined) return undefined;
    if (version === -1) {
      version = this.compute(api);
      this.chosen[key] = version;
    }
    return version >= minVersion ? version : undefined;
  }

  /** The highest common version; KafkaUnsupportedVersionError naming both ranges when there is none. */
  version(api: ApiSpec): number {
    const version = this.highest(api);
    if (version !== undefined) return version;
    const range = this.brokerRange(api.apiKey);
    throw new KafkaUnsupportedVersionError(
      range === undefined
        ? `${this.label} does not support ${api.name} (API key ${api.apiKey})`
        : `${this.label} supports ${api.name} versions ${range.min}-${range.max}, the client ${api.validVersions}: none in common`,
    );
  }

  private compute(api: ApiSpec): number {
    const ours = parseVersionRange(api.validVersions);
    const brokerMax = this.brokerMax[api.apiKey]!;
    if (brokerMax < 0) return -2;
    const max = Math.min(ours.max, brokerMax);
    return max >= Math.max(ours.min, this.brokerMin[api.apiKey]!) ? max : -2;
  }
}
