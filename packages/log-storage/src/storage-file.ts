import type { FileStat, LogDirIo } from './log-dir-io.js';
import type { EvictableFile } from './open-file-budget.js';

/**
 * A file of the log; its calls go through the LogDirIo that opened it, and
 * its descriptor counts against that LogDirIo's OpenFileBudget until close.
 * An evictable one (a segment's .log) may be closed by the budget while no
 * call is using it, and reopens read-write on its next call: the path must
 * keep naming the file meanwhile (LogSegment pins a file it renames).
 */
export class StorageFile implements EvictableFile {
  #fd: number | undefined;
  #reopening: Promise<void> | undefined;
  /** Calls in flight; while any is, the budget cannot close the file. */
  #users = 0;
  #pinned = false;
  #closed = false;
  /** write's rejection handler, made by the first write: most of an idle broker's thousands of files are never written. */
  #writeFailed: ((error: unknown) => never) | undefined;
  /** Not made yet: the first open creates the file (replacing one of the same name), later ones reopen it. */
  #uncreated: boolean;

  constructor(
    private readonly io: LogDirIo,
    readonly path: string,
    fd: number | undefined,
    private readonly evictable: boolean,
    uncreated = false,
  ) {
    this.#fd = fd;
    this.#uncreated = uncreated;
    if (evictable && fd !== undefined) io.budget.idle(this);
  }

  /** Whether the file is on disk: false for an uncreated one (LogDirIo.uncreatedEvictable) until its first open. */
  get made(): boolean {
    return !this.#uncreated;
  }

  /** Whether the descriptor is open now (an evicted file reopens on its next call). */
  get isOpen(): boolean {
    return this.#fd !== undefined;
  }

  /** Reads into `buffer` from `position` until the buffer (or `length` bytes of it) is full or the file ends; returns the bytes read. */
  read(buffer: Buffer, position: number, length = buffer.length): Promise<number> {
    return this.#use('read', async (fd) => {
      let done = 0;
      while (done < length) {
        const n = await this.io.fileSystem.read(fd, buffer, done, length - done, position + done);
        if (n === 0) break;
        done += n;
      }
      return done;
    });
  }

  /**
   * Writes all of `buffers` at `position` (one pwritev, repeated only after a
   * short write). Every append goes through here, so the usual case — an
   * open file, one complete pwritev — costs one promise step and no async
   * function frame, whose saved registers were a large part of an append's
   * garbage.
   */
  write(buffers: readonly Buffer[], position: number): Promise<void> {
    const fd = this.#fd;
    if (fd === undefined) return this.#reopen('write').then(() => this.write(buffers, position));
    let total = 0;
    for (const b of buffers) total += b.length;
    this.#begin();
    let writing: Promise<number>;
    try {
      writing = this.io.fileSystem.writev(fd, buffers, position);
    } catch (error) {
      this.#end();
      return Promise.reject(this.io.storageError('write', this.path, error));
    }
    this.#writeFailed ??= (error: unknown): never => {
      this.#end();
      throw this.io.storageError('write', this.path, error);
    };
    return writing.then((written) => {
      const rest = written < total ? this.writeRest(buffers, position, written, total) : undefined;
      this.#end();
      return rest;
    }, this.#writeFailed);
  }

  /**
   * Writes all of `buffers` at `position` on the calling thread (pwritev,
   * repeated after a short write); throws a KafkaStorageError. For writes no
   * larger than the LogDirIo's inlineWriteMaxBytes, to an open file (isOpen).
   */
  writeInline(buffers: readonly Buffer[], position: number): void {
    const fd = this.#fd;
    if (fd === undefined) throw this.io.storageError('write', this.path, new Error('the file is not open (write it with write)'));
    let total = 0;
    for (const b of buffers) total += b.length;
    try {
      let written = this.io.fileSystem.writevSync(fd, buffers, position);
      while (written < total) {
        const n = this.io.fileSystem.writevSync(fd, remainder(buffers, written), position + written);
        if (n === 0) throw new Error(`no progress after ${written} of ${total} bytes`);
        written += n;
      }
    } catch (error) {
      throw this.io.storageError('write', this.path, error);
    }
    // The most recently used now.
    if (this.evictable && this.#users === 0 && !this.#pinned) this.io.budget.idle(this);
  }

  /** The rest of a short write. */
  private writeRest(buffers: readonly Buffer[], position: number, written: number, total: number): Promise<void> {
    return this.#use('write', async (fd) => {
      while (written < total) {
        const n = await this.io.fileSystem.writev(fd, remainder(buffers, written), position + written);
        if (n === 0) throw new Error(`no progress after ${written} of ${total} bytes`);
        written += n;
      }
    });
  }

  datasync(): Promise<void> {
    return this.#use('fdatasync', (fd) => this.io.fileSystem.fdatasync(fd));
  }

  sync(): Promise<void> {
    return this.#use('fsync', (fd) => this.io.fileSystem.fsync(fd));
  }

  truncate(length: number): Promise<void> {
    return this.#use('ftruncate', (fd) => this.io.fileSystem.ftruncate(fd, length));
  }

  async size(): Promise<number> {
    return (await this.stat()).size;
  }

  stat(): Promise<FileStat> {
    return this.#use('fstat', (fd) => this.io.fileSystem.fstat(fd));
  }

  /**
   * Opens the file if it was evicted and keeps it open until close: for a
   * file about to be renamed, whose old path could not reopen it, while
   * readers finish with it. It leaves the budget: a pinned file holding a
   * slot could starve the very reader that would let it go (a flush that
   * holds a deleted segment and waits to open an index). Pinned files are
   * few and short-lived (segments deleted or replaced under a reader).
   */
  async pin(): Promise<void> {
    if (this.#pinned) return;
    if (this.#fd === undefined) {
      try {
        await this.#reopen('open');
      } catch (error) {
        // The last reader let go and the file was closed meanwhile: nothing left to keep open.
        if (this.#closed) return;
        throw error;
      }
    }
    if (this.#fd === undefined) return;
    this.#pinned = true;
    this.io.budget.busy(this);
    this.io.budget.leave();
  }

  /** Closes once; later calls do nothing (a reused descriptor number must never be closed by mistake). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.io.budget.busy(this);
    const fd = this.#fd;
    this.#fd = undefined;
    // An evicted file's slot went with its eviction; one being reopened is closed when the open returns.
    if (fd === undefined) return;
    try {
      await this.io.attempt('close', this.path, () => this.io.fileSystem.close(fd));
    } finally {
      if (this.#pinned) this.io.budget.returned();
      else this.io.budget.release();
    }
  }

  /** The budget's call, for an idle file: closes the descriptor, whose slot the budget hands on. */
  evict(): Promise<void> {
    const fd = this.#fd;
    this.#fd = undefined;
    if (fd === undefined) return Promise.resolve();
    return this.io.fileSystem.close(fd);
  }

  async #use<T>(operation: string, run: (fd: number) => Promise<T>): Promise<T> {
    if (this.#fd === undefined) await this.#reopen(operation);
    const fd = this.#fd;
    if (fd === undefined) throw this.#closedError(operation);
    this.#begin();
    // io.attempt's catch, inline: one async frame fewer on every fetch's reads.
    try {
      return await run(fd);
    } catch (error) {
      throw this.io.storageError(operation, this.path, error);
    } finally {
      this.#end();
    }
  }

  #begin(): void {
    if (this.#users++ === 0 && this.evictable) this.io.budget.busy(this);
  }

  #end(): void {
    if (--this.#users === 0 && this.evictable && !this.#pinned && this.#fd !== undefined) this.io.budget.idle(this);
  }

  /**
   * Opens an evicted file again (once, however many calls wait for it). It
   * is not idle until a call has used it, so the budget cannot take it back
   * before the calls that waited run.
   */
  #reopen(operation: string): Promise<void> {
    if (this.#closed || !this.evictable) return Promise.reject(this.#closedError(operation));
    this.#reopening ??= this.#openAgain().finally(() => {
      this.#reopening = undefined;
    });
    return this.#reopening;
  }

  async #openAgain(): Promise<void> {
    await this.io.budget.acquire();
    let fd: number;
    try {
      fd = await this.io.fileSystem.open(this.path, this.#uncreated ? 'w+' : 'r+');
    } catch (error) {
      this.io.budget.release();
      throw this.io.storageError('open', this.path, error);
    }
    if (this.#closed) {
      await this.io.fileSystem.close(fd).catch(() => {});
      this.io.budget.release();
      throw this.#closedError('open');
    }
    this.#uncreated = false;
    this.#fd = fd;
  }

  #closedError(operation: string): Error {
    return this.io.storageError(operation, this.path, new Error('the file is closed'));
  }
}

function remainder(buffers: readonly Buffer[], skip: number): Buffer[] {
  const rest: Buffer[] = [];
  for (const b of buffers) {
    if (skip >= b.length) {
      skip -= b.length;
      continue;
    }
    rest.push(skip > 0 ? b.subarray(skip) : b);
    skip = 0;
  }
  return rest;
}
