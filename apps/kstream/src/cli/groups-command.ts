// `kstream groups list|describe|delete|reset-offsets`: kafka-consumer-groups.
import { Command } from 'commander';
import type { ResetTarget, TopicPartition } from '@kstream/client';
import { CommandError, UsageError } from './cli-errors.js';
import { withCommandAdmin } from './connection-options.js';
import { examples } from './help-examples.js';
import { collect, dateTime, offset } from './option-parsers.js';
import { outputOptions, printJson, printTable, writeLine } from './output.js';

export function groupsCommand(): Command {
  const groups = new Command('groups').description('list, describe, delete consumer groups and reset their offsets');
  groups.addHelpText('after', examples(['kstream groups list', 'kstream groups describe billing', 'kstream groups reset-offsets billing --to-earliest --execute']));

  groups
    .command('list')
    .description("the cluster's groups with their states and coordinators")
    .option('--json', 'a JSON array')
    .addHelpText('after', examples(['kstream groups list', 'kstream groups list --json']))
    .action(async (options: { json?: boolean }, command: Command) => {
      const listed = await withCommandAdmin(command, (admin) => admin.listGroups());
      const output = outputOptions(options);
      if (output.json) printJson(listed);
      else
        printTable(
          output,
          ['GROUP', 'STATE', 'TYPE', 'COORDINATOR'],
          listed.map((g) => [g.groupId, g.state, g.protocolType || '-', g.coordinator]),
        );
    });

  groups
    .command('describe')
    .description("a group's state, members with their assignments, and lag per partition")
    .argument('<group>')
    .option('--json', 'one JSON object')
    .addHelpText('after', examples(['kstream groups describe billing', 'kstream groups describe billing --json | jq .totalLag']))
    .action(async (groupId: string, options: { json?: boolean }, command: Command) => {
      const output = outputOptions(options);
      const { group, lag } = await withCommandAdmin(command, async (admin) => {
        const [described] = await admin.describeGroups([groupId]);
        if (described!.state === 'Dead') throw new CommandError(`group ${JSON.stringify(groupId)} does not exist`);
        return { group: described!, lag: await admin.groupLag(groupId) };
      });
      const members = group.members.map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        host: m.clientHost,
        assignment: m.assignment ?? [],
      }));
      if (output.json) {
        printJson({ groupId, state: group.state, protocol: group.protocol, coordinator: group.coordinator, members, partitions: lag.partitions, totalLag: lag.totalLag });
        return;
      }
      if (output.tty)
        writeLine(
          `Group ${groupId}: ${group.state}, assignor ${group.protocol || '-'}, coordinator ${group.coordinator ?? '-'}, ${members.length} ${members.length === 1 ? 'member' : 'members'}, total lag ${lag.totalLag}\n`,
        );
      printTable(
        output,
        ['GROUP', 'TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG', 'CONSUMER-ID', 'CLIENT-ID'],
        lag.partitions.map((p) => [groupId, p.topic, p.partition, p.committedOffset, p.logEndOffset, p.lag, p.memberId, p.clientId]),
      );
      if (members.length === 0) return;
      writeLine('');
      printTable(
        output,
        ['GROUP', 'CONSUMER-ID', 'INSTANCE-ID', 'CLIENT-ID', 'HOST', 'PARTITIONS', 'ASSIGNMENT'],
        members.map((m) => [groupId, m.memberId, m.groupInstanceId, m.clientId, m.host, m.assignment.length, assignmentText(m.assignment)]),
      );
    });

  groups
    .command('delete')
    .description('delete groups and their committed offsets (only groups without members)')
    .argument('<groups...>')
    .addHelpText('after', examples(['kstream groups delete billing', 'kstream groups delete billing audit']))
    .action(async (groupIds: string[], _options: object, command: Command) => {
      await withCommandAdmin(command, (admin) => admin.deleteGroups(groupIds));
      for (const groupId of groupIds) writeLine(`Deleted group ${groupId}.`);
    });

  groups
    .command('reset-offsets')
    .description("move a group's committed offsets (only while it has no members); a dry run unless --execute")
    .argument('<group>')
    .option('--to-earliest', "to each partition's log start offset")
    .option('--to-latest', "to each partition's log end offset")
    .option('--to-offset <offset>', 'to this offset (kept within each log)', offset)
    .option('--to-datetime <time>', 'to the first offset at or after this time (ISO 8601 or epoch ms)', dateTime)
    .option('-t, --topic <topic[:partition]>', 'only this topic or partition, repeatable (default: every topic the group has committed)', collect)
    .option('--dry-run', 'show the new offsets, change nothing (the default)')
    .option('--execute', 'commit the new offsets')
    .option('--json', 'a JSON array')
    .addHelpText(
      'after',
      examples([
        'kstream groups reset-offsets billing --to-earliest --topic orders',
        'kstream groups reset-offsets billing --to-datetime 2026-01-31T12:00:00Z --execute',
        'kstream groups reset-offsets billing --to-offset 100 --topic orders:3 --execute',
      ]),
    )
    .action(async (groupId: string, options: ResetOptions, command: Command) => {
      const to = resetTarget(options);
      if (options.dryRun === true && options.execute === true) throw new UsageError('groups reset-offsets: --dry-run and --execute exclude each other');
      const topics = (options.topic ?? []).map(topicSelection);
      const plan = await withCommandAdmin(command, (admin) =>
        admin.resetGroupOffsets(groupId, { to, dryRun: options.execute !== true, ...(topics.length === 0 ? {} : { topics }) }),
      );
      const output = outputOptions(options);
      if (output.json) printJson(plan);
      else
        printTable(
          output,
          ['GROUP', 'TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'NEW-OFFSET'],
          plan.map((r) => [groupId, r.topic, r.partition, r.currentOffset, r.newOffset]),
        );
      if (options.execute !== true) process.stderr.write('Dry run: nothing was committed; add --execute to commit these offsets.\n');
    });

  return groups;
}

interface ResetOptions {
  toEarliest?: boolean;
  toLatest?: boolean;
  toOffset?: bigint;
  toDatetime?: number;
  topic?: string[];
  dryRun?: boolean;
  execute?: boolean;
  json?: boolean;
}

function resetTarget(options: ResetOptions): ResetTarget {
  const targets: ResetTarget[] = [];
  if (options.toEarliest === true) targets.push('earliest');
  if (options.toLatest === true) targets.push('latest');
  if (options.toOffset !== undefined) targets.push({ offset: options.toOffset });
  if (options.toDatetime !== undefined) targets.push({ timestamp: options.toDatetime });
  if (targets.length !== 1) throw new UsageError('groups reset-offsets: give exactly one of --to-earliest, --to-latest, --to-offset, --to-datetime');
  return targets[0]!;
}

/** "orders" (every partition) or "orders:3". */
function topicSelection(text: string): string | TopicPartition {
  const match = /^(.+):(\d+)$/.exec(text);
  return match === null ? text : { topic: match[1]!, partition: Number(match[2]) };
}

/** "orders:0,1,2 payments:3" */
function assignmentText(assignment: readonly TopicPartition[]): string {
  const byTopic = new Map<string, number[]>();
  for (const tp of assignment) byTopic.set(tp.topic, [...(byTopic.get(tp.topic) ?? []), tp.partition]);
  return [...byTopic].map(([topic, partitions]) => `${topic}:${partitions.sort((a, b) => a - b).join(',')}`).join(' ') || '-';
}
