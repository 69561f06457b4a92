import { KafkaConfigError } from '../../errors/index.js';
import type { Assignor } from './assignor.js';
import { CooperativeStickyAssignor } from './cooperative-sticky-assignor.js';
import { RangeAssignor } from './range-assignor.js';
import { RoundRobinAssignor } from './round-robin-assignor.js';

export type AssignorName = 'range' | 'roundrobin' | 'cooperative-sticky';

export const ASSIGNOR_NAMES: readonly AssignorName[] = ['range', 'roundrobin', 'cooperative-sticky'];

/** Kafka 3's default partition.assignment.strategy. */
export const DEFAULT_ASSIGNORS: readonly AssignorName[] = ['range', 'cooperative-sticky'];

const BUILT_IN: Record<AssignorName, () => Assignor> = {
  range: () => new RangeAssignor(),
  roundrobin: () => new RoundRobinAssignor(),
  'cooperative-sticky': () => new CooperativeStickyAssignor(),
};

/** The assignors in preference order, names resolved to the built-in ones; throws KafkaConfigError for anything else. */
export function resolveAssignors(assignors: readonly (AssignorName | Assignor)[] | undefined): Assignor[] {
  const list = assignors ?? DEFAULT_ASSIGNORS;
  if (!Array.isArray(list) || list.length === 0) {
    throw new KafkaConfigError('assignors', list, `a non-empty list of ${ASSIGNOR_NAMES.join(', ')} or Assignor objects`);
  }
  const resolved = list.map((entry) => {
    if (typeof entry === 'string' && entry in BUILT_IN) return BUILT_IN[entry as AssignorName]();
    if (typeof entry === 'object' && entry !== null && typeof entry.name === 'string' && typeof entry.assign === 'function') return entry;
    throw new KafkaConfigError('assignors', entry, `${ASSIGNOR_NAMES.join(', ')} or an Assignor object`);
  });
  const names = resolved.map((assignor) => assignor.name);
  const duplicate = names.find((name, index) => names.indexOf(name) !== index);
  if (duplicate !== undefined) {
    throw new KafkaConfigError('assignors', names, `each assignor once (${duplicate} is listed twice)`);
  }
  return resolved;
}

/**
 * Kafka's ConsumerCoordinator: the member rebalances cooperatively only if
 * every assignor it offers supports it; with an eager one in the list (the
 * default ['range', 'cooperative-sticky'] during an upgrade) it revokes
 * everything before each join.
 */
export function rebalanceProtocolOf(assignors: readonly Assignor[]): 'eager' | 'cooperative' {
  return assignors.every((assignor) => assignor.rebalanceProtocol === 'cooperative') ? 'cooperative' : 'eager';
}
