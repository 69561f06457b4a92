import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { brokerPorts } from './broker-ports.js';
import { ConfigError } from './config-error.js';
import type { PortRange } from './ephemeral-ports.js';
import { LogCapture } from './log-capture.test-support.js';

const HOST = '127.0.0.1';

/** A port free right now, found by asking the OS for one. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function bindable(port: number): Promise<boolean> {
  const server = createServer();
  const ok = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen({ host: HOST, port, exclusive: true }, () => resolve(true));
  });
  if (ok) await new Promise((resolve) => server.close(resolve));
  return ok;
}

describe('brokerPorts', () => {
  it('portZero: free ports outside the ephemeral range, without a warning', async () => {
    // Leaves only 64536-65535 above the range, to show the range is honoured.
    const range: PortRange = { first: 1024, last: 64535, source: 'test' };
    const logger = new LogCapture();
    const ports = await brokerPorts(HOST, 0, 5, logger, range);
    expect(ports).toHaveLength(5);
    expect(new Set(ports).size).toBe(5);
    for (const port of ports) {
      expect(port).toBeGreaterThan(64535);
      expect(await bindable(port)).toBe(true);
    }
    expect(logger.lines).toEqual([]);
  });

  it('portZeroWithNoPortOutsideTheRange lets the OS pick, and warns', async () => {
    const logger = new LogCapture();
    expect(await brokerPorts(HOST, 0, 3, logger, { first: 1024, last: 65535, source: 'test' })).toEqual([0, 0, 0]);
    expect(logger.lines).toEqual([
      'WARN --port 0: found no 3 free ports outside the ephemeral port range 1024-65535 (test); the OS picks ports inside it: ' +
        'while a broker is down, a client reconnecting to it can be given its port as its own source port (a TCP self-connect) and hold it, ' +
        "so the broker comes back only after that client closes it and the port's TIME_WAIT ends (a minute on Linux)",
    ]);
  });

  it('givenPortInTheEphemeralRange is used, with a warning naming the ports, the range and the risk', async () => {
    const port = await freePort();
    const logger = new LogCapture();
    const range = { first: port + 1, last: port + 100, source: '/proc/sys/net/ipv4/ip_local_port_range' };
    expect(await brokerPorts(HOST, port, 1, logger, range)).toEqual([port]);
    expect(logger.lines).toEqual([]);
    const inside = { first: port - 10, last: port + 100, source: range.source };
    expect(await brokerPorts(HOST, port, 1, logger, inside)).toEqual([port]);
    expect(logger.lines).toEqual([
      `WARN --port ${port}: port ${port} lies in the ephemeral port range ${port - 10}-${port + 100} (${range.source}): ` +
        'while a broker is down, a client reconnecting to it can be given its port as its own source port (a TCP self-connect) and hold it, ' +
        `so the broker comes back only after that client closes it and the port's TIME_WAIT ends (a minute on Linux); ports below ${port - 10} avoid that`,
    ]);
  });

  it('givenPortInUse is a ConfigError naming it', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
    const { port } = server.address() as { port: number };
    try {
      await expect(brokerPorts(HOST, port, 1, new LogCapture())).rejects.toThrow(ConfigError);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
