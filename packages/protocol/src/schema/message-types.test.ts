import { describe, expectTypeOf, it } from 'vitest';
import type { Fetch } from '../apis/fetch.js';
import type { Produce } from '../apis/produce.js';
import type { MessageOf, RequestOf, ResponseOf } from './message-types.js';
import { f, type FieldSpec } from './schema-types.js';

// Checked by the type checker (npx tsc -p packages/protocol/tsconfig.json), which includes this file.
describe('types inferred from a schema', () => {
  it('scalarTypesMapToTheirDecodedValues', () => {
    const fields = [f.int16('a', '0+'), f.int64('b', '0+'), f.uuid('c', '0+'), f.records('d', '0+'), f.bool('e', '0+'), f.array('g', '0+', 'int32')] as const;
    expectTypeOf<MessageOf<typeof fields>>().toEqualTypeOf<{ a: number; b: bigint; c: string; d: Buffer; e: boolean; g: number[] }>();
  });

  it('nullableInAnyVersionAdmitsNull', () => {
    expectTypeOf<RequestOf<typeof Produce>['transactionalId']>().toEqualTypeOf<string | null>();
    expectTypeOf<RequestOf<typeof Produce>['acks']>().toEqualTypeOf<number>();
    expectTypeOf<RequestOf<typeof Produce>['topicData'][number]['partitionData'][number]['records']>().toEqualTypeOf<Buffer | null>();
  });

  it('nestedStructsAndTaggedFieldsAreTyped', () => {
    type Partition = ResponseOf<typeof Produce>['responses'][number]['partitionResponses'][number];
    expectTypeOf<Partition['baseOffset']>().toEqualTypeOf<bigint>();
    expectTypeOf<Partition['currentLeader']>().toEqualTypeOf<{ leaderId: number; leaderEpoch: number }>();
    expectTypeOf<RequestOf<typeof Fetch>['topics'][number]['topicId']>().toEqualTypeOf<string>();
  });

  it('aSchemaTypedOnlyAsFieldSpecGivesAPlainRecord', () => {
    expectTypeOf<MessageOf<readonly FieldSpec[]>>().toEqualTypeOf<Record<string, unknown>>();
  });
});
