import { InvalidPartitionsError, InvalidReplicationFactorError } from './errors.js';

export interface AssignReplicasOptions {
  /** The live brokers. Placement walks them in ascending id order, whatever order they come in. */
  readonly brokerIds: readonly number[];
  /** How many partitions to place. */
  readonly partitions: number;
  readonly replicationFactor: number;
  /** The id of the first partition placed: 0 for a new topic, the current count when adding partitions. */
  readonly startPartitionId?: number;
  /**
   * The index, in ascending broker ids, of partition 0's leader; it also seeds
   * the follower shift. Random when absent, as in Kafka, so that topics created
   * one after another do not all lead on the same broker.
   */
  readonly fixedStartIndex?: number;
  /** Returns a number in [0, 1); used only without fixedStartIndex. */
  readonly random?: () => number;
}

/**
 * Places partitions `startPartitionId ..` on brokers the way Kafka's controller
 * does without racks (AdminUtils.assignReplicasToBrokers): leaders go round-robin
 * over the brokers from a start index, and each follower sits a shift away from
 * its leader, the shift growing by one every time the leaders have gone round
 * all brokers, so a broker's followers are spread over the others instead of
 * always sitting on its neighbours. Element i holds partition
 * `startPartitionId + i`'s replicas; the first is the preferred leader.
 *
 * One departure from Kafka: a round of leaders that does not reach every
 * broker (the last partitions when the count is not a multiple of the broker
 * count) places its followers at evenly spaced offsets from the leader
 * instead of at the shift. Kafka's shift leaves such a round lopsided — with
 * 4 brokers, 2 partitions and 2 replicas one broker can get two replicas and
 * another none — while even offsets keep every broker's replica count within
 * one of the others'. The offsets depend only on the round's number, so
 * partitions added later to an incomplete round use the same ones and the
 * round stays balanced.
 */
export function assignReplicas(options: AssignReplicasOptions): number[][] {
  const { partitions, replicationFactor, startPartitionId = 0, fixedStartIndex, random = Math.random } = options;
  const brokers = ascendingBrokerIds(options.brokerIds);
  const brokerCount = brokers.length;
  if (!Number.isInteger(partitions) || partitions < 1) {
    throw new InvalidPartitionsError(`Number of partitions must be larger than 0, got ${partitions}.`);
  }
  if (!Number.isInteger(replicationFactor) || replicationFactor < 1 || replicationFactor > brokerCount) {
    throw new InvalidReplicationFactorError(replicationFactor, brokerCount);
  }
  requireIndex('startPartitionId', startPartitionId);
  if (fixedStartIndex !== undefined) requireIndex('fixedStartIndex', fixedStartIndex);

  const startIndex = fixedStartIndex ?? Math.floor(random() * brokerCount);
  let shift = fixedStartIndex ?? Math.floor(random() * brokerCount);
  const end = startPartitionId + partitions;
  const assignment: number[][] = [];
  for (let partition = startPartitionId; partition < end; partition++) {
    if (partition > 0 && partition % brokerCount === 0) shift++;
    const round = Math.floor(partition / brokerCount);
    const roundStart = round * brokerCount;
    const wholeRound = roundStart >= startPartitionId && roundStart + brokerCount <= end;
    const offsets = wholeRound ? shiftedOffsets(shift, replicationFactor, brokerCount) : evenOffsets(round, replicationFactor, brokerCount);
    const leaderIndex = (partition + startIndex) % brokerCount;
    assignment.push(offsets.map((offset) => brokers[(leaderIndex + offset) % brokerCount]!));
  }
  return assignment;
}

export interface AssignAddedPartitionsOptions {
  /** The live brokers. */
  readonly brokerIds: readonly number[];
  /** The topic's current replicas, by partition id. */
  readonly existingAssignment: readonly (readonly number[])[];
  /** The topic's new total number of partitions, as CreatePartitions' Count. */
  readonly partitionCount: number;
}

/**
 * Places the partitions CreatePartitions adds, continuing the topic's
 * placement as Kafka does: same replication factor as partition 0, and the
 * leader round-robin resumes where it would have been had the topic been
 * created with this many partitions (it starts from partition 0's leader).
 * Returns the replicas of partitions `existingAssignment.length .. partitionCount - 1`.
 */
export function assignAddedPartitions(options: AssignAddedPartitionsOptions): number[][] {
  const { existingAssignment, partitionCount } = options;
  const existingCount = existingAssignment.length;
  const firstReplicas = existingAssignment[0];
  if (firstReplicas === undefined || firstReplicas.length === 0) {
    throw new RangeError('assignAddedPartitions: the existing assignment has no partition 0 replicas to continue from');
  }
  if (!Number.isInteger(partitionCount) || partitionCount <= existingCount) {
    throw new InvalidPartitionsError(
      partitionCount === existingCount
        ? `Topic already has ${existingCount} partitions.`
        : `Topic currently has ${existingCount} partitions, which is higher than the requested ${partitionCount}.`,
    );
  }
  const brokers = ascendingBrokerIds(options.brokerIds);
  const leader = firstReplicas[0]!;
  const startIndex = Math.max(
    0,
    brokers.findIndex((id) => id >= leader),
  );
  return assignReplicas({
    brokerIds: brokers,
    partitions: partitionCount - existingCount,
    replicationFactor: firstReplicas.length,
    startPartitionId: existingCount,
    fixedStartIndex: startIndex,
  });
}

/** Kafka's follower offsets: distinct, never 0 (the leader), rotating with the shift. */
function shiftedOffsets(shift: number, replicationFactor: number, brokerCount: number): number[] {
  const offsets = [0];
  for (let j = 0; j < replicationFactor - 1; j++) offsets.push(1 + ((shift + j) % (brokerCount - 1)));
  return offsets;
}

/**
 * Offsets floor(j * brokerCount / replicationFactor), rotated so that the
 * round's own choice comes first as 0. Evenly spaced points put floor or ceil
 * of k * replicationFactor / brokerCount of them in any window of k
 * consecutive brokers, which is what keeps a partial round balanced.
 */
function evenOffsets(round: number, replicationFactor: number, brokerCount: number): number[] {
  const points = Array.from({ length: replicationFactor }, (_, j) => Math.floor((j * brokerCount) / replicationFactor));
  const rotation = round % replicationFactor;
  return points.map((_, j) => (points[(rotation + j) % replicationFactor]! - points[rotation]! + brokerCount) % brokerCount);
}

function ascendingBrokerIds(brokerIds: readonly number[]): number[] {
  const sorted = [...brokerIds].sort((a, b) => a - b);
  for (let i = 0; i < sorted.length; i++) {
    if (!Number.isInteger(sorted[i])) throw new RangeError(`Broker id ${sorted[i]} is not an integer.`);
    if (i > 0 && sorted[i] === sorted[i - 1]) throw new RangeError(`Broker id ${sorted[i]} is listed twice.`);
  }
  return sorted;
}

function requireIndex(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer, got ${value}.`);
}
