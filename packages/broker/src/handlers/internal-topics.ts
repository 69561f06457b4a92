// Kafka's internal topics: the coordinators' logs. Clients see them in
// Metadata (isInternal) but never create or write them; only the
// coordinators append to them (Kafka's Topic.isInternal).

export const INTERNAL_TOPICS: ReadonlySet<string> = new Set(['__consumer_offsets', '__transaction_state']);
