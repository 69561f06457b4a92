import { describe, expect, it } from 'vitest';
import { withFields } from '@kstream/actor';
import { logSink } from './log-sink.js';
import type { LogSinkOptions } from './log-sink.js';
import { readableLine } from './readable-log-line.js';

function sinkInto(options: Omit<LogSinkOptions, 'write'>): { logger: ReturnType<typeof logSink>; lines: string[] } {
  const lines: string[] = [];
  return { logger: logSink({ ...options, write: (line) => void lines.push(line) }), lines };
}

describe('logSink (json)', () => {
  it('brokerLineIsOneJsonObjectWithLevelTimeMsgBrokerAndPartitionAsKeys', () => {
    const { logger, lines } = sinkInto({ level: 'info', format: 'json' });
    logger.warn('Rebuilding the indexes of a segment', { broker: 2, partition: 'orders-0', segment: '/d/00000000000000000000.log' });
    expect(lines).toHaveLength(1);
    expect(lines[0]!.endsWith('\n') && lines[0]!.indexOf('\n') === lines[0]!.length - 1).toBe(true);
    const line = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(line).toEqual({
      level: 'warn',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      msg: 'Rebuilding the indexes of a segment',
      broker: 2,
      partition: 'orders-0',
      segment: '/d/00000000000000000000.log',
    });
  });

  it('lineWithoutBrokerSaysItIsTheNodes, and the controller says controller', () => {
    const { logger, lines } = sinkInto({ level: 'info', format: 'json' });
    logger.info('SIGTERM: shutting down');
    withFields(logger, { component: 'controller' }).info('controller: broker 1 registered', { brokerEpoch: 1 });
    expect(lines.map((l) => JSON.parse(l) as object)).toEqual([
      expect.objectContaining({ component: 'node', msg: 'SIGTERM: shutting down' }),
      expect.objectContaining({ component: 'controller', brokerEpoch: 1 }),
    ]);
    expect(lines[1]).not.toContain('"broker"');
  });

  it('errorsShowNameMessageAndStack, bigintsTheirDigits', () => {
    const { logger, lines } = sinkInto({ level: 'info', format: 'json' });
    logger.error('Background flush failed', { broker: 1, offset: 2n ** 63n - 1n, error: new Error('ENOSPC: no space left on device') });
    const line = JSON.parse(lines[0]!) as { offset: string; error: { name: string; message: string; stack: string } };
    expect(line.offset).toBe('9223372036854775807');
    expect(line.error).toMatchObject({ name: 'Error', message: 'ENOSPC: no space left on device' });
    expect(line.error.stack).toContain('log-sink.test.ts');
  });

  it('levelBelowTheSinksWritesNothingAndNeverReadsTheFields', () => {
    const { logger, lines } = sinkInto({ level: 'warn', format: 'json' });
    let read = 0;
    const fields = {
      get partition() {
        read++;
        return 'orders-0';
      },
    };
    logger.info('Deleting segment', fields);
    logger.warn('kept', { broker: 1 });
    expect(read).toBe(0);
    expect(lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['kept']);
  });

  it('silentWritesNoLineAtAll', () => {
    const { logger, lines } = sinkInto({ level: 'silent', format: 'json' });
    logger.error('shutdown failed', { error: new Error('x') });
    expect(lines).toEqual([]);
  });
});

describe('logSink (pretty)', () => {
  it('terminalLineIsTimeLevelSourceMessageThenOtherFields', () => {
    const { logger, lines } = sinkInto({ level: 'info', format: 'pretty' });
    logger.info('broker 1: listening on 127.0.0.1:9092', { broker: 1, brokerEpoch: 1 });
    logger.warn('controller: broker 2 missed its session', { component: 'controller' });
    // biome-ignore lint/suspicious/noControlCharactersInRegex: ESC starts the ANSI colour codes the readable format writes on a terminal
    const plain = lines.map((l) => l.replace(/\x1b\[\d+m/g, ''));
    expect(plain).toEqual([
      expect.stringMatching(/^\d\d:\d\d:\d\d\.\d{3} INFO {2}\[broker 1\] broker 1: listening on 127\.0\.0\.1:9092 \{"brokerEpoch":1\}\n$/),
      expect.stringMatching(/^\d\d:\d\d:\d\d\.\d{3} WARN {2}\[controller\] controller: broker 2 missed its session\n$/),
    ]);
  });

  it('noColorLeavesOutTheEscapes', () => {
    const json = '{"level":"error","time":"2026-12-02T18:30:04.233Z","broker":3,"msg":"Background flush failed","partition":"orders-1"}';
    expect(readableLine(json, false)).toBe('18:30:04.233 ERROR [broker 3] Background flush failed {"partition":"orders-1"}\n');
    expect(readableLine(json, true)).toContain('\x1b[31mERROR\x1b[0m');
  });
});
