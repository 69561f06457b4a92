import type { Logger } from '@kstream/actor';
import { InvalidPartitionsError, InvalidReplicationFactorError } from '@kstream/partitioner';
import { AdminError } from '@kstream/metadata';
import type { BrokerConfigProps, MetadataRecord, MetadataState } from '@kstream/metadata';

/** What the controller's admin decisions read: the state before the request, and the node's static broker config. */
export interface AdminContext {
  readonly state: MetadataState;
  readonly staticConfig: BrokerConfigProps;
  readonly logger: Logger;
  readonly newTopicId: () => string;
  /** For replica placement's random start; Math.random unless a test pins it. */
  readonly random: () => number;
}

/** The records a request would append (none when it only validates or fails everywhere) and its per-resource results. */
export interface AdminDecision<R> {
  readonly records: readonly MetadataRecord[];
  readonly results: R;
}

export { AdminError };

/** The error code and message of a failed resource; anything but an admin or placement error is a bug and propagates. */
export function adminFailure(error: unknown): { errorCode: number; errorMessage: string } {
  if (error instanceof AdminError) return { errorCode: error.errorCode, errorMessage: error.message };
  if (error instanceof InvalidReplicationFactorError || error instanceof InvalidPartitionsError) {
    return { errorCode: error.code, errorMessage: error.message };
  }
  throw error;
}
