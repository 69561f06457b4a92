// `kstream topics list|create|describe|alter|delete|add-partitions`: what
// kafka-topics (and kafka-configs for a topic's configs) do.
import { Command } from 'commander';
import type { Admin } from '@kstream/client';
import { CommandError, UsageError } from './cli-errors.js';
import { withCommandAdmin } from './connection-options.js';
import { examples } from './help-examples.js';
import { collect, integer, keyValue } from './option-parsers.js';
import { outputOptions, printJson, writeLine } from './output.js';

export function topicsCommand(): Command {
  const topics = new Command('topics').description('list, create, describe, alter and delete topics');
  topics.addHelpText('after', examples(['kstream topics list', 'kstream topics create orders --partitions 6 --replication-factor 3', 'kstream topics describe orders']));

  topics
    .command('list')
    .description("the cluster's topics, one per line")
    .option('--internal', 'include internal topics (__consumer_offsets, ...)')
    .option('--json', 'a JSON array')
    .addHelpText('after', examples(['kstream topics list', 'kstream topics list --internal --json']))
    .action(async (options: { internal?: boolean; json?: boolean }, command: Command) => {
      const names = await withCommandAdmin(command, (admin) => admin.listTopics({ includeInternal: options.internal === true }));
      if (options.json === true) printJson(names);
      else for (const name of names) writeLine(name);
    });

  topics
    .command('create')
    .description('create a topic')
    .argument('<topic>')
    .option('-p, --partitions <n>', "partition count (default: the broker's num.partitions)", integer(1))
    .option('-r, --replication-factor <n>', "replicas per partition (default: the broker's default.replication.factor)", integer(1, 32767))
    .option('-c, --config <key=value>', 'a topic config, repeatable', keyValue)
    .option('--if-not-exists', 'succeed if the topic already exists')
    .addHelpText(
      'after',
      examples([
        'kstream topics create orders --partitions 6 --replication-factor 3 --config retention.ms=86400000',
        'kstream topics create compacted --config cleanup.policy=compact',
      ]),
    )
    .action(async (topic: string, options: { partitions?: number; replicationFactor?: number; config?: Record<string, string>; ifNotExists?: boolean }, command: Command) => {
      await withCommandAdmin(command, async (admin) => {
        const newTopic = { topic, numPartitions: options.partitions ?? -1, replicationFactor: options.replicationFactor ?? -1, configs: options.config ?? {} };
        try {
          await admin.createTopics([newTopic]);
          writeLine(`Created topic ${topic}.`);
        } catch (error) {
          if (options.ifNotExists !== true || !(await topicExists(admin, topic))) throw error;
        }
      });
    });

  topics
    .command('describe')
    .description('partitions (leader, replicas, ISR, offline replicas, log start and end offsets) and configs set on the topic; every topic when none is named')
    .argument('[topics...]')
    .option('--all-configs', 'every config, defaults included')
    .option('--json', 'one JSON object per topic')
    .addHelpText('after', examples(['kstream topics describe orders', 'kstream topics describe --json | jq .partitions']))
    .action(async (names: string[], options: { allConfigs?: boolean; json?: boolean }, command: Command) => {
      const { describeTopics } = await import('./topics-describe.js');
      await withCommandAdmin(command, (admin) => describeTopics(admin, names, { allConfigs: options.allConfigs === true, output: outputOptions(options) }));
    });

  topics
    .command('alter')
    .description("change a topic's configs (only the keys named)")
    .argument('<topic>')
    .option('-c, --config <key=value>', 'set a config, repeatable', keyValue)
    .option('-d, --delete-config <key>', 'remove a config, back to its default; repeatable', collect)
    .addHelpText('after', examples(['kstream topics alter orders --config retention.ms=3600000', 'kstream topics alter orders --delete-config retention.ms']))
    .action(async (topic: string, options: { config?: Record<string, string>; deleteConfig?: string[] }, command: Command) => {
      const operations = [
        ...Object.entries(options.config ?? {}).map(([name, value]) => ({ name, op: 'set' as const, value })),
        ...(options.deleteConfig ?? []).map((name) => ({ name, op: 'delete' as const })),
      ];
      if (operations.length === 0) throw new UsageError('topics alter: nothing to change; give --config key=value or --delete-config key');
      await withCommandAdmin(command, async (admin, { partitionsOf }) => {
        await partitionsOf(admin, topic);
        await admin.alterConfigs([{ resource: { type: 'topic', name: topic }, operations }]);
      });
      writeLine(`Altered configs of topic ${topic}.`);
    });

  topics
    .command('delete')
    .description('delete topics and their records')
    .argument('<topics...>')
    .option('--if-exists', 'succeed for topics that do not exist')
    .addHelpText('after', examples(['kstream topics delete orders', 'kstream topics delete orders payments --if-exists']))
    .action(async (names: string[], options: { ifExists?: boolean }, command: Command) => {
      await withCommandAdmin(command, async (admin) => {
        const existing = new Set(await admin.listTopics({ includeInternal: true }));
        const missing = names.filter((name) => !existing.has(name));
        if (missing.length > 0 && options.ifExists !== true) throw new CommandError(`topic ${JSON.stringify(missing[0])} does not exist`);
        const toDelete = names.filter((name) => existing.has(name));
        if (toDelete.length > 0) await admin.deleteTopics(toDelete);
        for (const name of toDelete) writeLine(`Deleted topic ${name}.`);
      });
    });

  topics
    .command('add-partitions')
    .description("raise a topic's partition count (records keep their partitions: keyed records of new writes may land elsewhere)")
    .argument('<topic>')
    .requiredOption('-p, --partitions <n>', 'the total partition count wanted', integer(1))
    .addHelpText('after', examples(['kstream topics add-partitions orders --partitions 12']))
    .action(async (topic: string, options: { partitions: number }, command: Command) => {
      await withCommandAdmin(command, async (admin, { partitionsOf }) => {
        const current = (await partitionsOf(admin, topic)).length;
        if (options.partitions <= current) {
          throw new CommandError(`topic ${topic} has ${current} partitions; --partitions ${options.partitions} must be more (partitions cannot be removed)`);
        }
        await admin.createPartitions([{ topic, count: options.partitions }]);
      });
      writeLine(`Topic ${topic} now has ${options.partitions} partitions.`);
    });

  return topics;
}

async function topicExists(admin: Admin, topic: string): Promise<boolean> {
  return (await admin.listTopics({ includeInternal: true })).includes(topic);
}
