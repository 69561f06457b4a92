// Long work on the controller's thread is cut into turns of at most
// TURN_MS: between two, the event loop runs what waits — heartbeats, control
// calls such as describe, a shutdown. The work's own state is untouched
// meanwhile: the controller decides one change at a time.
import { setImmediate as nextLoopTurn } from 'node:timers/promises';

/** How long one turn of a long piece of work keeps the event loop. */
export const TURN_MS = 10;

/** Counts the time of a piece of work since its last turn began. */
export class LoopTurns {
  #start = performance.now();

  /** The turn has run TURN_MS: the work should await `next()` before it goes on. */
  get due(): boolean {
    return performance.now() - this.#start >= TURN_MS;
  }

  /** Lets the event loop run everything pending, then starts a new turn. */
  async next(): Promise<void> {
    await nextLoopTurn();
    this.#start = performance.now();
  }
}
