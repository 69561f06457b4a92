import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ERROR_INFOS, ErrorCode, errorInfo } from './error-codes.js';

/** <repo>/../shared/kafka-protocol, from packages/protocol/src/errors. */
const KAFKA_PROTOCOL_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../../shared/kafka-protocol');
const PROTOCOL_HTML = join(KAFKA_PROTOCOL_DIR, 'protocol.html');
const MESSAGES_DIR = join(KAFKA_PROTOCOL_DIR, 'messages');

/** Rows "<td>NAME</td><td>code</td><td>True|False</td>" of protocol.html's error table, when the copy has it inline. */
function protocolHtmlErrorRows(): { name: string; code: number; retriable: boolean }[] {
  const html = readFileSync(PROTOCOL_HTML, 'utf8');
  const rows = html.matchAll(/<tr>\s*<td>([A-Z_]+)<\/td>\s*<td>(-?\d+)<\/td>\s*<td>(True|False)<\/td>/g);
  return [...rows].map(([, name, code, retriable]) => ({ name: name!, code: Number(code), retriable: retriable === 'True' }));
}

const htmlSkip = !existsSync(PROTOCOL_HTML)
  ? `${PROTOCOL_HTML} is absent`
  : protocolHtmlErrorRows().length === 0
    ? `${PROTOCOL_HTML} has no error table inline (it pulls generated/protocol_errors.html in by a server-side include)`
    : undefined;
if (htmlSkip) console.log(`skipping the protocol.html cross-check: ${htmlSkip}`);
const messagesSkip = existsSync(MESSAGES_DIR) ? undefined : `${MESSAGES_DIR} is absent`;
if (messagesSkip) console.log(`skipping the message-definition cross-check: ${messagesSkip}`);

describe('error codes', () => {
  it('coverEveryCodeFromMinusOneToTheHighestOnce', () => {
    const codes = ERROR_INFOS.map((e) => e.code);
    expect(codes).toEqual(Array.from({ length: codes.length }, (_, i) => i - 1));
    expect(codes.at(-1)).toBeGreaterThanOrEqual(130);
    expect(new Set(ERROR_INFOS.map((e) => e.name)).size).toBe(ERROR_INFOS.length);
    for (const info of ERROR_INFOS) {
      expect(info.name).toMatch(/^[A-Z][A-Z_]+$/);
      if (info.code !== 0) expect(info.message, info.name).toMatch(/\S/);
    }
  });

  it('namesKafkasConstants', () => {
    expect(ErrorCode.NONE).toBe(0);
    expect(ErrorCode.UNKNOWN_SERVER_ERROR).toBe(-1);
    expect(ErrorCode.NOT_LEADER_OR_FOLLOWER).toBe(6);
    expect(ErrorCode.UNSUPPORTED_VERSION).toBe(35);
    expect(ErrorCode.INVALID_RECORD).toBe(87);
    expect(ErrorCode.SHARE_SESSION_LIMIT_REACHED).toBe(133);
  });

  it('errorInfoKnowsRetriabilityAndMessages', () => {
    expect(errorInfo(ErrorCode.NOT_LEADER_OR_FOLLOWER)).toMatchObject({ name: 'NOT_LEADER_OR_FOLLOWER', retriable: true });
    expect(errorInfo(ErrorCode.CORRUPT_MESSAGE).retriable).toBe(true);
    expect(errorInfo(ErrorCode.TOPIC_AUTHORIZATION_FAILED).retriable).toBe(false);
    expect(errorInfo(ErrorCode.REQUEST_TIMED_OUT).message).toBe('The request timed out.');
  });

  it('anUnknownCodeReadsAsUnknownServerErrorKeepingItsNumber', () => {
    expect(errorInfo(999)).toMatchObject({ code: 999, name: 'UNKNOWN_SERVER_ERROR', retriable: false });
    expect(errorInfo(-2).name).toBe('UNKNOWN_SERVER_ERROR');
  });

  it('agreesWithKafkajsOnCodesItKnowsUnderTheirOlderNames', () => {
    const require = createRequire(import.meta.url);
    const { errorCodes } = require('kafkajs/src/protocol/error') as { errorCodes: { type: string; code: number }[] };
    const renamed: Record<string, string> = {
      UNKNOWN: 'UNKNOWN_SERVER_ERROR',
      NOT_LEADER_FOR_PARTITION: 'NOT_LEADER_OR_FOLLOWER',
      GROUP_LOAD_IN_PROGRESS: 'COORDINATOR_LOAD_IN_PROGRESS',
      GROUP_COORDINATOR_NOT_AVAILABLE: 'COORDINATOR_NOT_AVAILABLE',
      NOT_COORDINATOR_FOR_GROUP: 'NOT_COORDINATOR',
    };
    expect(errorCodes.length).toBeGreaterThan(80);
    for (const { type, code } of errorCodes) expect(errorInfo(code).name, `code ${code}`).toBe(renamed[type] ?? type);
  });

  it.skipIf(htmlSkip !== undefined)('matchProtocolHtmlsTable', () => {
    const rows = protocolHtmlErrorRows();
    expect(ERROR_INFOS.map(({ name, code, retriable }) => ({ name, code, retriable }))).toEqual(rows);
  });

  it.skipIf(messagesSkip !== undefined)('nameEveryErrorTheMessageDefinitionsMention', () => {
    // The definitions list the errors a response may carry in comments: "// - NOT_COORDINATOR (version 0+)".
    // INVALID_SUBSCRIPTION_REGEX was the draft name of INVALID_REGULAR_EXPRESSION (128).
    const drafts: Record<string, string> = { INVALID_SUBSCRIPTION_REGEX: 'INVALID_REGULAR_EXPRESSION' };
    const mentioned = new Set<string>();
    for (const file of readdirSync(MESSAGES_DIR).filter((f) => f.endsWith('.json'))) {
      for (const [, name] of readFileSync(join(MESSAGES_DIR, file), 'utf8').matchAll(/^\s*\/\/\s*-\s*([A-Z][A-Z_]{3,})\b/gm)) {
        mentioned.add(drafts[name!] ?? name!);
      }
    }
    expect(mentioned.size).toBeGreaterThan(10);
    const known = new Set(ERROR_INFOS.map((e) => e.name as string));
    expect([...mentioned].filter((name) => !known.has(name))).toEqual([]);
  });
});
