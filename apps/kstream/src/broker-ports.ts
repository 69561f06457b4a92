import type { Logger } from '@kstream/actor';
import { ephemeralPortRange, portsInRange } from './ephemeral-ports.js';
import type { PortRange } from './ephemeral-ports.js';
import { checkPortsFree, pickFreePorts } from './port-check.js';

const SELF_CONNECT_RISK =
  "while a broker is down, a client reconnecting to it can be given its port as its own source port (a TCP self-connect) and hold it, so the broker comes back only after that client closes it and the port's TIME_WAIT ends (a minute on Linux)";

/**
 * The listener port of each of `count` brokers. From `port` on, checked free
 * (a ConfigError names a busy one), with a warning when some lie in the
 * ephemeral range. For port 0, free ports picked outside the ephemeral range;
 * only when there are none, 0s (the OS picks, inside it) and a warning.
 */
export async function brokerPorts(host: string, port: number, count: number, logger: Logger, ephemeral: PortRange = ephemeralPortRange()): Promise<number[]> {
  const range = `${ephemeral.first}-${ephemeral.last} (${ephemeral.source})`;
  if (port === 0) {
    const picked = await pickFreePorts(host, count, ephemeral);
    if (picked.length === count) return picked;
    logger.warn(`--port 0: found no ${count} free ports outside the ephemeral port range ${range}; the OS picks ports inside it: ${SELF_CONNECT_RISK}`);
    return Array.from({ length: count }, () => 0);
  }
  const ports = Array.from({ length: count }, (_, i) => port + i);
  await checkPortsFree(host, ports, port);
  const exposed = portsInRange(port, port + count - 1, ephemeral);
  if (exposed.length > 0) {
    logger.warn(
      `--port ${port}: ${exposed.length === 1 ? `port ${exposed[0]} lies` : `ports ${exposed[0]}-${exposed.at(-1)} lie`} in the ephemeral port range ${range}: ${SELF_CONNECT_RISK}; ports below ${ephemeral.first} avoid that`,
    );
  }
  return ports;
}
