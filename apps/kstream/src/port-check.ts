import { createServer } from 'node:net';
import { ConfigError } from './config-error.js';
import type { PortRange } from './ephemeral-ports.js';

/**
 * Fails with a ConfigError naming --port and the busy port if any of `ports`
 * cannot be bound on `host`. Brokers bind their ports in worker threads, so
 * checking first turns a taken port into one clear startup error instead of a
 * broker that crashes and is restarted.
 */
export async function checkPortsFree(host: string, ports: readonly number[], firstPort: number): Promise<void> {
  for (const [index, port] of ports.entries()) {
    const failure = await tryBind(host, port);
    if (failure) {
      throw new ConfigError(
        `--port ${firstPort}: ${host}:${port} for broker ${index + 1} is not available (${failure}); choose another --port`,
      );
    }
  }
}

const FIRST_UNPRIVILEGED_PORT = 1024;
const LAST_PORT = 65535;
const TRIES_PER_POOL = 200;

/**
 * Picks `count` distinct ports, at random, that can be bound on `host` now
 * and lie outside the ephemeral range: above it first, where fewer servers
 * live, then below it. Random, so that nodes started at the same moment
 * (parallel test files) rarely pick the same port between this check and
 * their brokers' bind. Returns fewer ports when it finds too few, e.g. when
 * the range covers every unprivileged port.
 */
export async function pickFreePorts(host: string, count: number, ephemeral: PortRange): Promise<number[]> {
  const pools = [
    [ephemeral.last + 1, LAST_PORT],
    [FIRST_UNPRIVILEGED_PORT, ephemeral.first - 1],
  ] as const;
  const picked = new Set<number>();
  for (const [low, high] of pools) {
    for (let tries = 0; low <= high && picked.size < count && tries < TRIES_PER_POOL; tries++) {
      const port = low + Math.floor(Math.random() * (high - low + 1));
      if (!picked.has(port) && (await tryBind(host, port)) === undefined) picked.add(port);
    }
  }
  return [...picked];
}

function tryBind(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}
