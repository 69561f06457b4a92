import type { FieldSpec, VersionRange } from '../schema/schema-types.js';

/**
 * A payload of the consumer protocol ("data" messages in Kafka's JSON): the
 * bytes a consumer puts in JoinGroup's protocol metadata and a leader puts in
 * SyncGroup's assignments. Opaque to the group coordinator, read by clients.
 * On the wire a payload is a 2-byte version followed by the message in that
 * version's non-flexible encoding.
 */
export interface ConsumerProtocolSpec<F extends readonly FieldSpec[] = readonly FieldSpec[]> {
  /** Kafka's name, e.g. "ConsumerProtocolSubscription". */
  readonly name: string;
  /** The versions we write; a higher version is read as the highest of these. */
  readonly validVersions: VersionRange;
  readonly fields: F;
}

/** Declares a consumer-protocol payload; `const` keeps the field tuple literal for type inference. */
export function defineConsumerProtocol<const F extends readonly FieldSpec[]>(spec: ConsumerProtocolSpec<F>): ConsumerProtocolSpec<F> {
  return spec;
}
