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
      throw new ConfigError(`--port ${firstPort}: ${host}:${port} for broker ${index + 1} is not available (${failure}); choose another --port`);
    }
  }
}

const FIRST_UNPRIVILEGED_PORT = 1024;
const LAST_PORT = 65535;
const MAX_TRIES = 500;

/**
 * Picks `count` distinct ports that can be bound on `host` now and lie
 * outside the ephemeral range, at random among all of them: nodes started at
 * the same moment (parallel test files) then rarely pick the same port in the
 * second or so between this check and their brokers' bind (a broker that
 * loses that race fails the node's start). Returns fewer ports when it finds
 * too few, e.g. when the range covers every unprivileged port.
 */
export async function pickFreePorts(host: string, count: number, ephemeral: PortRange): Promise<number[]> {
  const below = Math.max(0, ephemeral.first - FIRST_UNPRIVILEGED_PORT);
  const above = Math.max(0, LAST_PORT - ephemeral.last);
  const picked = new Set<number>();
  for (let tries = 0; below + above > 0 && picked.size < count && tries < MAX_TRIES; tries++) {
    const index = Math.floor(Math.random() * (below + above));
    const port = index < below ? FIRST_UNPRIVILEGED_PORT + index : ephemeral.last + 1 + index - below;
    if (!picked.has(port) && (await tryBind(host, port)) === undefined) picked.add(port);
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
