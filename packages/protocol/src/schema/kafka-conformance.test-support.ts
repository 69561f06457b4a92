// Compares one of our API schemas with Kafka's message JSON, version by
// version, and words each difference the way a schema author fixes it:
// "Produce request v9-11: field topicData[].partitionData[].records:
// expected nullableVersions 0+, schema has none".
import { scalarDefault } from './field-defaults.js';
import type { KafkaField, KafkaMessage } from './kafka-message-json.test-support.js';
import type { ApiSpec, FieldSpec, ScalarType } from './schema-types.js';
import { inVersionRange, parseVersionRange, versionsIn } from './versions.js';

const SCALARS = new Set<string>(['bool', 'int8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'float64', 'string', 'bytes', 'uuid', 'records']);

type Kind = 'request' | 'response';

/** A Kafka field's type in our vocabulary, with its struct members resolved (inline or from commonStructs). */
function kafkaType(field: KafkaField, message: KafkaMessage): { type: string; fields?: readonly KafkaField[] } {
  const isArray = field.type.startsWith('[]');
  const element = isArray ? field.type.slice(2) : field.type;
  if (SCALARS.has(element)) return { type: field.type };
  const members = field.fields ?? message.commonStructs?.find((s) => s.name === element)?.fields;
  if (members === undefined) throw new Error(`${message.file}: struct type ${element} of field ${field.name} has no definition`);
  return { type: isArray ? '[]struct' : 'struct', fields: members };
}

function camelCase(kafkaName: string): string {
  return kafkaName[0]!.toLowerCase() + kafkaName.slice(1);
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Buffer.isBuffer(value)) return 'empty bytes';
  return String(value);
}

/** The default Kafka gives a field, normalised like ours (see scalarDefault); undefined for structs and arrays that are not null by default. */
function kafkaDefault(field: KafkaField, type: string): string | undefined {
  if (field.default === 'null') return 'null';
  if (!SCALARS.has(type)) return undefined;
  const given = field.default;
  return show(scalarDefault({ name: field.name, type: type as ScalarType, versions: field.versions, ...(given !== undefined && { default: String(given) }) }, type as ScalarType));
}

function ourDefault(field: FieldSpec): string | undefined {
  if (field.default === null) return 'null';
  if (!SCALARS.has(field.type)) return undefined;
  return show(scalarDefault(field, field.type as ScalarType));
}

/** Collects differences keyed by their wording, with the versions each applies to. */
class Problems {
  private readonly byDetail = new Map<string, number[]>();

  add(version: number, detail: string): void {
    const versions = this.byDetail.get(detail);
    if (versions === undefined) this.byDetail.set(detail, [version]);
    else if (!versions.includes(version)) versions.push(version);
  }

  format(prefix: string): string[] {
    return [...this.byDetail].map(([detail, versions]) => `${prefix} ${formatVersions(versions)}: ${detail}`);
  }
}

/** [3,4,5,7] → "v3-5, v7". */
function formatVersions(versions: number[]): string {
  const sorted = [...versions].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? `v${sorted[i]}` : `v${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(', ');
}

function compareFields(kafkaFields: readonly KafkaField[], ours: readonly FieldSpec[], version: number, parentPath: string, message: KafkaMessage, problems: Problems): void {
  const expected = kafkaFields.filter((k) => inVersionRange(k.versions, version));
  const actual = ours.filter((o) => inVersionRange(o.versions, version));
  const prefix = parentPath === '' ? '' : `${parentPath}.`;
  const ourByName = new Map(actual.map((o) => [o.name, o]));
  const expectedNames = expected.map((k) => camelCase(k.name));

  for (const k of expected) {
    const name = camelCase(k.name);
    const o = ourByName.get(name);
    const path = `${prefix}${name}`;
    if (o === undefined) {
      const elsewhere = ours.find((candidate) => candidate.name === name);
      problems.add(
        version,
        elsewhere === undefined
          ? `field ${path}: missing from schema (Kafka's ${message.file} has it in versions ${k.versions})`
          : `field ${path}: expected versions ${k.versions}, schema has ${elsewhere.versions}`,
      );
      continue;
    }
    compareField(k, o, version, path, message, problems);
  }
  for (const o of actual) {
    if (!expectedNames.includes(o.name)) {
      const k = kafkaFields.find((candidate) => camelCase(candidate.name) === o.name);
      problems.add(
        version,
        k === undefined ? `field ${prefix}${o.name}: not in Kafka's ${message.file}` : `field ${prefix}${o.name}: expected versions ${k.versions}, schema has ${o.versions}`,
      );
    }
  }
  const common = expectedNames.filter((name) => ourByName.has(name));
  const ourOrder = actual.map((o) => o.name).filter((name) => expectedNames.includes(name));
  if (common.join() !== ourOrder.join()) {
    const where = parentPath === '' ? 'top-level fields' : `fields of ${parentPath}`;
    problems.add(version, `${where}: expected order ${common.join(', ')}; schema has ${ourOrder.join(', ')}`);
  }
}

function compareField(k: KafkaField, o: FieldSpec, version: number, path: string, message: KafkaMessage, problems: Problems): void {
  const { type, fields } = kafkaType(k, message);
  if (type !== o.type) {
    problems.add(version, `field ${path}: expected type ${type} (Kafka's "${k.type}"), schema has ${o.type}`);
    return;
  }
  if (inVersionRange(k.nullableVersions, version) !== inVersionRange(o.nullableVersions, version)) {
    problems.add(version, `field ${path}: expected nullableVersions ${k.nullableVersions ?? 'none'}, schema has ${o.nullableVersions ?? 'none'}`);
  }
  const kafkaTagged = inVersionRange(k.taggedVersions, version);
  if (kafkaTagged !== inVersionRange(o.taggedVersions, version)) {
    problems.add(version, `field ${path}: expected taggedVersions ${k.taggedVersions ?? 'none'}, schema has ${o.taggedVersions ?? 'none'}`);
  } else if (kafkaTagged && k.tag !== o.tag) {
    problems.add(version, `field ${path}: expected tag ${k.tag}, schema has ${o.tag}`);
  }
  const expectedDefault = kafkaDefault(k, type);
  const actualDefault = ourDefault(o);
  if (expectedDefault !== actualDefault) {
    problems.add(version, `field ${path}: expected default ${expectedDefault ?? 'none'}, schema has ${actualDefault ?? 'none'}`);
  }
  if (fields !== undefined) {
    compareFields(fields, o.fields ?? [], version, type === '[]struct' ? `${path}[]` : path, message, problems);
  }
}

/** Every difference between `api`'s request or response schema and Kafka's JSON; empty when they agree. */
export function conformanceProblems(api: ApiSpec, kind: Kind, kafka: ReadonlyMap<string, KafkaMessage>): string[] {
  const label = `${api.name} ${kind}`;
  const message = kafka.get(`${api.apiKey}:${kind}`);
  const expectedName = `${api.name}${kind === 'request' ? 'Request' : 'Response'}`;
  if (message === undefined) return [`${label}: Kafka has no ${kind} with apiKey ${api.apiKey}`];
  if (message.name !== expectedName) {
    return [`${label}: apiKey ${api.apiKey} is Kafka's ${message.name}, but the schema is named ${api.name}`];
  }
  if (parseVersionRange(api.validVersions).max === Infinity) {
    return [`${label}: validVersions ${api.validVersions} must be closed (floor to current maximum)`];
  }
  const problems = new Problems();
  for (const version of versionsIn(api.validVersions)) {
    if (!inVersionRange(message.validVersions, version)) {
      problems.add(version, `not in Kafka's validVersions ${message.validVersions}`);
      continue;
    }
    if (inVersionRange(message.flexibleVersions, version) !== inVersionRange(api.flexibleVersions, version)) {
      problems.add(version, `expected flexibleVersions ${message.flexibleVersions}, schema has ${api.flexibleVersions}`);
    }
    compareFields(message.fields, kind === 'request' ? api.request : api.response, version, '', message, problems);
  }
  return problems.format(label);
}
