// Opens real controllers on temporary directories for tests, and reads
// MetadataState as plain data so that two states can be compared.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '@kstream/actor';
import { Controller } from './controller.js';
import type { ControllerOptions } from './controller.js';
import type { MetadataState } from '@kstream/metadata';

export const quiet: Logger = { info: () => {}, warn: () => {}, error: () => {} };

export interface LogLine {
  readonly level: 'info' | 'warn' | 'error';
  readonly msg: string;
}

export function recordingLogger(lines: LogLine[]): Logger {
  return {
    info: (msg) => lines.push({ level: 'info', msg }),
    warn: (msg) => lines.push({ level: 'warn', msg }),
    error: (msg) => lines.push({ level: 'error', msg }),
  };
}

/** Controllers opened in a temporary directory, closed and removed by `cleanUp`. */
export class ControllerFixture {
  dir = '';
  readonly #open: Controller[] = [];

  async setUp(): Promise<void> {
    this.dir = await mkdtemp(join(tmpdir(), 'kstream-controller-'));
  }

  async open(options: Partial<ControllerOptions> = {}): Promise<Controller> {
    const controller = await Controller.open({ dir: this.dir, logger: quiet, ...options });
    this.#open.push(controller);
    return controller;
  }

  async close(controller: Controller): Promise<void> {
    this.#open.splice(this.#open.indexOf(controller), 1);
    await controller.close();
  }

  /** Opens a controller with brokers 1..count registered (without channels). */
  async openWithBrokers(count: number, options: Partial<ControllerOptions> = {}): Promise<Controller> {
    const controller = await this.open(options);
    for (let id = 1; id <= count; id++) {
      await controller.handle({ type: 'BrokerRegistration', brokerId: id, host: '127.0.0.1', port: 9091 + id });
    }
    return controller;
  }

  async cleanUp(): Promise<void> {
    for (const controller of this.#open.splice(0)) await controller.close();
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** Everything a MetadataState holds, as plain sorted data. */
export function stateView(state: MetadataState) {
  const configs = (type: 'topic' | 'broker') => Object.fromEntries([...state.configResources(type)].map(([name, c]) => [name, Object.fromEntries(c)]));
  return {
    clusterId: state.clusterId,
    brokers: [...state.brokers.values()].sort((a, b) => a.brokerId - b.brokerId),
    topics: [...state.topics.values()].map((t) => ({ name: t.name, topicId: t.topicId, partitions: [...t.partitions] })).sort((a, b) => a.name.localeCompare(b.name)),
    topicConfigs: configs('topic'),
    brokerConfigs: configs('broker'),
  };
}
