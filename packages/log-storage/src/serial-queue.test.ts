import { describe, expect, it } from 'vitest';
import { SerialQueue } from './serial-queue.js';

describe('SerialQueue', () => {
  it('failedTaskKeepsOrder: tasks run one at a time in call order, never inside run, and a failure does not stop the next', async () => {
    const queue = new SerialQueue();
    const events: string[] = [];
    const task =
      (name: string, fail = false) =>
      async () => {
        events.push(`start ${name}`);
        await new Promise((resolve) => setTimeout(resolve, 1));
        events.push(`end ${name}`);
        if (fail) throw new Error(name);
        return name;
      };
    const results = [queue.run(task('a')), queue.run(task('b', true)), queue.run(task('c'))];
    expect(events).toEqual([]);
    expect(await Promise.allSettled(results)).toMatchObject([{ value: 'a' }, { reason: { message: 'b' } }, { value: 'c' }]);
    expect(events).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  it('tryEnterOnlyWhenIdle: tryEnter fails while a task runs or waits; leave hands the queue to the next task', async () => {
    const queue = new SerialQueue();
    expect(queue.tryEnter()).toBe(true);
    expect(queue.tryEnter()).toBe(false);
    const events: string[] = [];
    const waiting = queue.run(async () => void events.push('queued task'));
    expect(queue.hasWaiting).toBe(true);
    await Promise.resolve();
    expect(events).toEqual([]);
    queue.leave();
    expect(queue.tryEnter()).toBe(false);
    await waiting;
    expect(events).toEqual(['queued task']);
    expect(queue.hasWaiting).toBe(false);
    expect(queue.tryEnter()).toBe(true);
  });
});
