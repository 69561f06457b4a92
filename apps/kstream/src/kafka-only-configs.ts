// Kafka broker configs that kstream knowingly does not apply, each group
// with the reason. A Kafka server.properties sets several of them; kstream
// starts from such a file with one warning naming them, and refuses only keys
// it knows nothing of (a misspelling, most likely). A key kstream learns to
// apply moves to @kstream/metadata's BROKER_CONFIGS and leaves this list.
const GROUPS: ReadonlyArray<{ readonly reason: string; readonly keys: readonly string[] }> = [
  {
    reason: 'kstream runs its own controller and numbers its brokers 1..N',
    keys: [
      'process.roles',
      'node.id',
      'broker.id',
      'controller.quorum.voters',
      'controller.quorum.bootstrap.servers',
      'controller.listener.names',
      'metadata.log.dir',
      'zookeeper.connect',
      'zookeeper.connection.timeout.ms',
    ],
  },
  {
    reason: 'each broker listens on 127.0.0.1, from --port on',
    keys: ['listeners', 'advertised.listeners', 'inter.broker.listener.name', 'listener.security.protocol.map'],
  },
  { reason: '--data-dir holds every log', keys: ['log.dirs', 'log.dir'] },
  {
    reason: 'each broker is one event loop, with a pool sized to the cores',
    keys: ['num.network.threads', 'num.io.threads', 'num.recovery.threads.per.data.dir', 'num.replica.fetchers', 'background.threads'],
  },
  { reason: "the OS's socket buffer sizes apply", keys: ['socket.send.buffer.bytes', 'socket.receive.buffer.bytes'] },
  {
    reason: 'kstream does not serve share groups (KIP-932)',
    keys: ['share.coordinator.state.topic.replication.factor', 'share.coordinator.state.topic.min.isr'],
  },
];

/** Each Kafka-only key with why kstream does not apply it. */
export const KAFKA_ONLY_CONFIGS: ReadonlyMap<string, string> = new Map(GROUPS.flatMap(({ reason, keys }) => keys.map((key) => [key, reason])));

/** Names the given Kafka-only keys grouped by reason, in one line: "a, b (reason); c (reason)". */
export function describeKafkaOnly(keys: ReadonlySet<string>): string {
  return GROUPS.flatMap(({ reason, keys: group }) => {
    const given = group.filter((key) => keys.has(key));
    return given.length === 0 ? [] : [`${given.join(', ')} (${reason})`];
  }).join('; ');
}
