import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@kstream/actor';
import { ConfigError } from './config-error.js';

/** What the server serves: a scrape's text and its content type. */
export interface MetricsSource {
  readonly contentType: string;
  scrape(): Promise<string>;
}

/**
 * The node's Prometheus endpoint: `GET /metrics` over HTTP on `host:port`
 * (0 picks a free port), each request a fresh scrape of the node; any other
 * path is 404. A port in use fails the start with a ConfigError naming
 * --metrics-port.
 */
export class MetricsServer {
  readonly #server: Server;
  readonly #host: string;

  private constructor(server: Server, host: string) {
    this.#server = server;
    this.#host = host;
  }

  static async listen(host: string, port: number, source: MetricsSource, logger: Logger): Promise<MetricsServer> {
    const server = createServer((request, response) => {
      const path = (request.url ?? '/').split('?')[0];
      if (path !== '/metrics' || (request.method !== 'GET' && request.method !== 'HEAD')) {
        response.writeHead(404, { 'content-type': 'text/plain' }).end('kstream serves Prometheus metrics at GET /metrics\n');
        return;
      }
      source.scrape().then(
        (text) => response.writeHead(200, { 'content-type': source.contentType }).end(request.method === 'HEAD' ? undefined : text),
        (error: unknown) => {
          logger.error('metrics scrape failed', { error });
          response.writeHead(500, { 'content-type': 'text/plain' }).end(`scrape failed: ${(error as Error).message}\n`);
        },
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) => {
        reject(
          error.code === 'EADDRINUSE' || error.code === 'EACCES'
            ? new ConfigError(`--metrics-port ${port}: ${host}:${port} is not available (${error.code}); choose another port, 0 for a free one, or none to serve no metrics`)
            : error,
        );
      });
      server.listen(port, host, () => resolve());
    });
    return new MetricsServer(server, host);
  }

  /** `http://host:port/metrics`. */
  get url(): string {
    return `http://${this.#host}:${(this.#server.address() as AddressInfo).port}/metrics`;
  }

  /** Stops listening and ends open keep-alive connections. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }
}
