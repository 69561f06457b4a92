// Preferred leaders come back by themselves (auto.leader.rebalance.enable):
// after a broker's restart its former leaderships stay with the replicas
// that took them over, loading those brokers. Every
// leader.imbalance.check.interval.seconds the controller counts, for each
// broker, the partitions it is the preferred (first) replica of but does not
// lead; when that share exceeds leader.imbalance.per.broker.percentage, each
// of them whose preferred replica is eligible and in the ISR moves back to
// it, as Kafka's checkAndTriggerAutoLeaderRebalance does.
import { LoopTurns } from '@kstream/metadata';
import { everyPartition, partitionChange } from './partition-elections.js';
import type { ElectionContext, PartitionChange } from './partition-elections.js';

export async function preferredLeaderRebalance(context: ElectionContext, imbalancePercentage: number): Promise<PartitionChange[]> {
  const byPreferred = new Map<number, { preferred: number; notLed: number; movable: PartitionChange[] }>();
  const turns = new LoopTurns();
  for (const [topic, partition] of everyPartition(context.state)) {
    if (turns.due) await turns.next();
    const preferred = partition.replicas[0]!;
    let tally = byPreferred.get(preferred);
    if (tally === undefined) byPreferred.set(preferred, (tally = { preferred: 0, notLed: 0, movable: [] }));
    tally.preferred++;
    if (partition.leader === preferred) continue;
    tally.notLed++;
    if (partition.isr.includes(preferred) && context.isEligible(preferred)) {
      tally.movable.push(partitionChange(topic, partition, preferred, partition.isr)!);
    }
  }
  const changes: PartitionChange[] = [];
  for (const { preferred, notLed, movable } of byPreferred.values()) {
    if ((notLed / preferred) * 100 > imbalancePercentage) changes.push(...movable);
  }
  return changes;
}
