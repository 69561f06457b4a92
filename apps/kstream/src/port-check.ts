import { createServer } from 'node:net';
import { ConfigError } from './config-error.js';

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

function tryBind(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}
