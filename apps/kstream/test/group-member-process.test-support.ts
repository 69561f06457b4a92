// A kafkajs group member in a process of its own (spawned by ChildMember),
// so a test can kill it without it leaving its group. Arguments: bootstrap,
// group id, topic. It reports every MemberEvent to the parent over IPC,
// each record before kafkajs counts it processed, so the parent knows of
// every record whose offset the member may have committed.
import { kafkaClient } from './kafkajs-client.test-support.js';
import { MEMBER_TIMINGS, runMember } from './group-member.test-support.js';
import type { MemberEvent } from './group-member.test-support.js';

const [bootstrap, groupId, topic] = process.argv.slice(2);
if (bootstrap === undefined || groupId === undefined || topic === undefined) throw new Error('usage: group-member-process <bootstrap> <group id> <topic>');

const report = (event: MemberEvent): Promise<void> => new Promise((resolve, reject) => process.send!(event, (error: Error | null) => (error === null ? resolve() : reject(error))));

process.on('disconnect', () => process.exit(1));
const consumer = kafkaClient(bootstrap, 'kstream-child-member').consumer({ groupId, ...MEMBER_TIMINGS });
await consumer.connect();
await runMember(consumer, topic, report);
