export type BenchMessage =
  | { readonly type: 'Fetch'; readonly topic: string; readonly partition: number; readonly offset: bigint; readonly maxBytes: number }
  | { readonly type: 'Records'; readonly records: Uint8Array };

export interface BenchReplies {
  Fetch: bigint;
  Records: Uint8Array;
}
