// Well-formed requests for every API and version a broker advertises, drawn
// from the API's own schema: every field present in the version gets a value
// (fuzz-values picks it by name), nullable ones are sometimes null, arrays
// are mostly short and now and then thousands long, records come from
// fuzz-records, and admin requests sometimes ask for absurd counts with
// everything else legal (fuzz-absurd). A request that encodes with our schema is well-formed by
// definition; what it asks may be absurd.
import { inVersionRange, Produce } from '@kstream/protocol';
import type { ApiSpec, FieldSpec, ScalarType } from '@kstream/protocol';
import { makeAbsurd } from './fuzz-absurd.test-support.js';
import type { FuzzRandom } from './fuzz-random.test-support.js';
import type { RecordBatchSource } from './fuzz-records.test-support.js';
import { configName, configValue, scalarValue } from './fuzz-values.test-support.js';
import type { FuzzTargets } from './fuzz-values.test-support.js';

export interface GeneratedRequest {
  readonly api: ApiSpec;
  readonly version: number;
  readonly body: Record<string, unknown>;
  /** False for a Produce with acks=0, which Kafka never answers. */
  readonly answered: boolean;
}

/** An API as a broker advertises it, with the versions it offers. */
export interface AdvertisedApiSpec {
  readonly api: ApiSpec;
  readonly versions: readonly number[];
}

/** Array elements one request may hold in all, so that a long array nested in another stays bounded. */
const ELEMENT_BUDGET = 50_000;
/** Bytes of strings and records one request may hold in all; a value that would exceed it is sent empty. */
const BYTE_BUDGET = 8 * 1024 * 1024;

export class RequestGenerator {
  #budget = 0;
  #bytes = 0;

  constructor(
    private readonly apis: readonly AdvertisedApiSpec[],
    private readonly targets: FuzzTargets,
    private readonly records: RecordBatchSource,
  ) {
    if (apis.length === 0) throw new Error('no APIs to fuzz');
  }

  next(random: FuzzRandom): GeneratedRequest {
    const { api, versions } = random.pick(this.apis);
    const version = random.pick(versions);
    this.#budget = ELEMENT_BUDGET;
    this.#bytes = BYTE_BUDGET;
    const body = this.#struct(api.request, version, random, 0, '');
    makeAbsurd(api, body, random, this.targets);
    return { api, version, body, answered: !(api.apiKey === Produce.apiKey && body['acks'] === 0) };
  }

  #struct(fields: readonly FieldSpec[], version: number, random: FuzzRandom, depth: number, structName: string): Record<string, unknown> {
    const value: Record<string, unknown> = {};
    for (const field of fields) {
      if (!inVersionRange(field.versions, version)) continue;
      value[field.name] = this.#field(field, version, random, depth, structName);
    }
    return value;
  }

  #field(field: FieldSpec, version: number, random: FuzzRandom, depth: number, structName: string): unknown {
    if (inVersionRange(field.nullableVersions, version) && random.chance(0.1)) return null;
    // A config entry's name and value are drawn as a pair, wherever an API carries one.
    if (structName === 'configs' && field.name === 'name') return this.#fit(configName(random));
    if (structName === 'configs' && field.name === 'value') return this.#fit(configValue(random));
    switch (field.type) {
      case 'struct':
        return this.#struct(field.fields ?? [], version, random, depth + 1, field.name);
      case '[]struct':
        return Array.from({ length: this.#length(random, depth) }, () => this.#struct(field.fields ?? [], version, random, depth + 1, field.name));
      case 'records':
        return this.#fit(this.records.draw(random));
      default:
        if (field.type.startsWith('[]')) {
          const element = field.type.slice(2) as ScalarType;
          return Array.from({ length: this.#length(random, depth) }, () => this.#scalar(field.name, element, random));
        }
        return this.#scalar(field.name, field.type as ScalarType, random);
    }
  }

  #scalar(name: string, type: ScalarType, random: FuzzRandom): unknown {
    const value = scalarValue(name, type, random, this.targets);
    return type === 'string' || type === 'bytes' ? this.#fit(value as string | Buffer) : value;
  }

  /** `value`, or an empty one of its kind when the request's byte budget cannot hold it. */
  #fit<T extends string | Buffer | null>(value: T): T {
    if (value === null) return value;
    if (value.length > this.#bytes) return (typeof value === 'string' ? '' : Buffer.alloc(0)) as T;
    this.#bytes -= value.length;
    return value;
  }

  /** Mostly 0–3, sometimes up to 10; at the top level now and then thousands, within the request's element budget. */
  #length(random: FuzzRandom, depth: number): number {
    const roll = random.below(100);
    let length: number;
    if (roll < 75) length = random.below(4);
    else if (roll < 97 || depth > 0) length = random.between(4, 10);
    else length = random.chance(0.7) ? random.between(100, 2_000) : random.between(10_000, ELEMENT_BUDGET);
    length = Math.min(length, this.#budget);
    this.#budget -= length;
    return length;
  }
}
