import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Logger } from '@kstream/actor';
import { BrokerListener } from './broker-listener.js';

const quiet: Logger = { info: () => {}, warn: () => {}, error: () => {} };

function dial(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

const listeners: BrokerListener[] = [];
afterEach(async () => {
  for (const listener of listeners.splice(0)) await listener.close();
});

function listener(port: number, onConnection: (socket: Socket, id: string) => void = () => {}): BrokerListener {
  const l = new BrokerListener({ brokerId: 1, host: '127.0.0.1', port, logger: quiet, onConnection });
  listeners.push(l);
  return l;
}

describe('BrokerListener', () => {
  it('portZero: the OS picks a port, reported after listen', async () => {
    const l = listener(0);
    const port = await l.listen();
    expect(port).toBeGreaterThan(0);
    expect(l.port).toBe(port);
  });

  it('handsOverConnections: each accepted socket reaches the handler with the client address', async () => {
    const seen: string[] = [];
    const l = listener(0, (_socket, id) => seen.push(id));
    const client = await dial(await l.listen());
    await expect.poll(() => seen.length).toBe(1);
    expect(seen[0]).toBe(`127.0.0.1:${client.localPort}`);
    expect(l.connectionCount).toBe(1);
    client.destroy();
  });

  it('closeEndsConnections: close stops accepting and closes open connections', async () => {
    const l = listener(0);
    const port = await l.listen();
    const client = await dial(port);
    const clientClosed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    await l.close();
    listeners.pop();
    await clientClosed;
    await expect(dial(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('portTaken: listening on a busy port fails naming the broker and the address', async () => {
    const first = listener(0);
    const port = await first.listen();
    await expect(listener(port).listen()).rejects.toThrow(`broker 1 cannot listen on 127.0.0.1:${port}: EADDRINUSE`);
  });
});
