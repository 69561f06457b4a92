import * as fs from 'node:fs';
import { dirname } from 'node:path';
import { OpenFileBudget } from './open-file-budget.js';
import { StorageFile } from './storage-file.js';
import { KafkaStorageError } from './storage-errors.js';

/** open(2) flags for a file read and written in place, created if missing, never truncated (index files). */
export const READ_WRITE_CREATE = fs.constants.O_RDWR | fs.constants.O_CREAT;

export interface FileStat {
  size: number;
  mtimeMs: number;
}

/**
 * The system calls the log uses, promise-shaped. The real one is
 * nodeFileSystem; tests wrap it to inject faults (ENOSPC after N bytes, EIO)
 * or to drop every open file as a crash would.
 */
export interface FileSystem {
  open(path: string, flags: string | number): Promise<number>;
  close(fd: number): Promise<void>;
  /** Like pread(2): may return fewer bytes than asked for, 0 at end of file. */
  read(fd: number, buffer: Buffer, offset: number, length: number, position: number): Promise<number>;
  /** Like pwritev(2): may write fewer bytes than given. */
  writev(fd: number, buffers: readonly Buffer[], position: number): Promise<number>;
  /** pwritev(2) on the calling thread, for writes small enough that handing them to libuv's pool costs more than the copy. */
  writevSync(fd: number, buffers: readonly Buffer[], position: number): number;
  fdatasync(fd: number): Promise<void>;
  fsync(fd: number): Promise<void>;
  ftruncate(fd: number, length: number): Promise<void>;
  fstat(fd: number): Promise<FileStat>;
  /** stat(2) by path: a file's size without opening it. */
  stat(path: string): Promise<FileStat>;
  readdir(path: string): Promise<string[]>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  /** Creates the directory and its parents; succeeds if it exists. */
  mkdir(path: string): Promise<void>;
  /** Creates a directory in an existing one; false if it exists already. */
  mkdirNew(path: string): Promise<boolean>;
  /** Removes a directory and everything in it; succeeds if it does not exist. */
  rmdirRecursive(path: string): Promise<void>;
}

type Callback<T> = (error: NodeJS.ErrnoException | null, value: T) => void;

function call<T>(start: (callback: Callback<T>) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => start((error, value) => (error ? reject(error) : resolve(value))));
}

// The callback API: one libuv request per call and no FileHandle objects,
// the cheapest way to reach the disk from Node.
export const nodeFileSystem: FileSystem = {
  open: (path, flags) => call((cb) => fs.open(path, flags, 0o644, cb)),
  close: (fd) => call<void>((cb) => fs.close(fd, (e) => cb(e, undefined))),
  read: (fd, buffer, offset, length, position) => call((cb) => fs.read(fd, buffer, offset, length, position, cb)),
  // Every append's write: one closure fewer than call() makes.
  writev: (fd, buffers, position) => new Promise((resolve, reject) => fs.writev(fd, buffers, position, (error, written) => (error ? reject(error) : resolve(written)))),
  writevSync: (fd, buffers, position) => fs.writevSync(fd, buffers, position),
  fdatasync: (fd) => call<void>((cb) => fs.fdatasync(fd, (e) => cb(e, undefined))),
  fsync: (fd) => call<void>((cb) => fs.fsync(fd, (e) => cb(e, undefined))),
  ftruncate: (fd, length) => call<void>((cb) => fs.ftruncate(fd, length, (e) => cb(e, undefined))),
  fstat: (fd) => call<FileStat>((cb) => fs.fstat(fd, (e, s) => cb(e, s && { size: s.size, mtimeMs: s.mtimeMs }))),
  stat: (path) => call<FileStat>((cb) => fs.stat(path, (e, s) => cb(e, s && { size: s.size, mtimeMs: s.mtimeMs }))),
  readdir: (path) => call((cb) => fs.readdir(path, cb)),
  rename: (from, to) => call<void>((cb) => fs.rename(from, to, (e) => cb(e, undefined))),
  unlink: (path) => call<void>((cb) => fs.unlink(path, (e) => cb(e, undefined))),
  mkdir: (path) => call<void>((cb) => fs.mkdir(path, { recursive: true }, (e) => cb(e, undefined))),
  mkdirNew: (path) => call<boolean>((cb) => fs.mkdir(path, (e) => (e?.code === 'EEXIST' ? cb(null, false) : cb(e, true)))),
  rmdirRecursive: (path) => call<void>((cb) => fs.rm(path, { recursive: true, force: true }, (e) => cb(e, undefined))),
};

function errnoCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * The one place the log touches the disk. Every call goes through `attempt`,
 * which turns a failed system call into a KafkaStorageError naming the log
 * directory, the operation, the file and the errno code — the broker takes
 * that directory's partitions offline or answers KAFKA_STORAGE_ERROR.
 * One LogDirIo per log directory; besides its path it holds the budget
 * of files it may have open at once (unbounded unless given).
 */
export class LogDirIo {
  /**
   * Appends of up to this many bytes are written inline (StorageFile.writeInline).
   * A write handed to libuv's thread pool costs two thread hand-offs, about
   * 40 µs on a 2-core VM, while copying 16 KiB into the page cache takes
   * about 7 µs: Kafka writes the page cache on its request threads for the
   * same reason. Measured per append (CRC check included), inline against
   * the pool: 16 KiB 9 against 50 µs, 256 KiB 74 against 114, 1 MiB 269
   * against 278. Larger writes stay on the pool, where the CRC check runs
   * beside them and the loop stays free for other clients meanwhile, so an
   * inline write holds the loop for at most about 75 µs. The cost: when the
   * kernel throttles writers (dirty pages past vm.dirty_ratio) an inline
   * write stalls the loop with it, as it stalls Kafka's request thread.
   */
  static readonly DEFAULT_INLINE_WRITE_MAX_BYTES = 256 * 1024;

  constructor(
    readonly logDir: string,
    readonly fileSystem: FileSystem = nodeFileSystem,
    readonly inlineWriteMaxBytes = LogDirIo.DEFAULT_INLINE_WRITE_MAX_BYTES,
    readonly budget = new OpenFileBudget(Number.POSITIVE_INFINITY),
  ) {}

  async attempt<T>(operation: string, path: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw this.storageError(operation, path, error);
    }
  }

  /** What `attempt` throws for a failed call; a KafkaStorageError passes through as it is. */
  storageError(operation: string, path: string, error: unknown): KafkaStorageError {
    if (error instanceof KafkaStorageError) return error;
    const message = error instanceof Error ? error.message : String(error);
    return new KafkaStorageError(`${operation} ${path} failed in log dir ${this.logDir}: ${message}`, this.logDir, errnoCode(error), {
      cause: error,
    });
  }

  /** Opens with open(2)-style flags: 'r', 'r+', 'w+' (create or truncate), 'wx+' (create, must not exist). */
  async open(path: string, flags: string | number): Promise<StorageFile> {
    return (await this.#open(path, flags, false, false))!;
  }

  /** Opens an existing file, or returns undefined if there is none. */
  openIfExists(path: string, flags: string | number): Promise<StorageFile | undefined> {
    return this.#open(path, flags, false, true);
  }

  /**
   * Opens a file the budget may close while it is idle and that reopens
   * itself read-write ('r+') on its next use: a segment's .log, which a
   * broker keeps for as long as the segment exists. `create` makes a new
   * empty file (replacing one of the same name).
   */
  async openEvictable(path: string, create: boolean): Promise<StorageFile> {
    return (await this.#open(path, create ? 'w+' : 'r+', true, false))!;
  }

  /**
   * A segment's existing .log as openEvictable gives it, but not opened yet:
   * its first use opens it. What a log loaded after a clean shutdown needs of
   * its idle segments is their size (stat), so a broker of thousands of
   * partitions opens no file for them at start, nor closes one to make room.
   */
  unopenedEvictable(path: string): StorageFile {
    return new StorageFile(this, path, undefined, true);
  }

  /**
   * A new segment's .log as openEvictable(path, true) gives it, but not made
   * yet: the first call that needs the file (a write, in practice: an empty
   * segment is read and flushed without it) creates it. A partition
   * created and left idle makes no file for its segment, and opens or
   * closes none; one whose directory has no .log at the next start gets a
   * new empty segment, as it had.
   */
  uncreatedEvictable(path: string): StorageFile {
    return new StorageFile(this, path, undefined, true, true);
  }

  async #open(path: string, flags: string | number, evictable: boolean, missingOk: boolean): Promise<StorageFile | undefined> {
    await this.budget.acquire();
    let fd: number;
    try {
      fd = await this.fileSystem.open(path, flags);
    } catch (error) {
      this.budget.release();
      if (missingOk && errnoCode(error) === 'ENOENT') return undefined;
      throw this.storageError('open', path, error);
    }
    return new StorageFile(this, path, fd, evictable);
  }

  stat(path: string): Promise<FileStat> {
    return this.attempt('stat', path, () => this.fileSystem.stat(path));
  }

  readdir(path: string): Promise<string[]> {
    return this.attempt('readdir', path, () => this.fileSystem.readdir(path));
  }

  rename(from: string, to: string): Promise<void> {
    return this.attempt('rename', `${from} to ${to}`, () => this.fileSystem.rename(from, to));
  }

  unlink(path: string): Promise<void> {
    return this.attempt('unlink', path, () => this.fileSystem.unlink(path));
  }

  /** The directory's names, or undefined if it does not exist. */
  readdirIfExists(path: string): Promise<string[] | undefined> {
    return this.#unlessMissing('readdir', path, () => this.fileSystem.readdir(path), undefined);
  }

  unlinkIfExists(path: string): Promise<boolean> {
    return this.#unlessMissing('unlink', path, () => this.fileSystem.unlink(path).then(() => true), false);
  }

  renameIfExists(from: string, to: string): Promise<boolean> {
    return this.#unlessMissing('rename', `${from} to ${to}`, () => this.fileSystem.rename(from, to).then(() => true), false);
  }

  /** `run`'s result, or `missing` if what it names is not there (ENOENT); any other failure as `attempt` throws it. */
  async #unlessMissing<T, M>(operation: string, path: string, run: () => Promise<T>, missing: M): Promise<T | M> {
    try {
      return await run();
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return missing;
      throw this.storageError(operation, path, error);
    }
  }

  mkdir(path: string): Promise<void> {
    return this.attempt('mkdir', path, () => this.fileSystem.mkdir(path));
  }

  mkdirNew(path: string): Promise<boolean> {
    return this.attempt('mkdir', path, () => this.fileSystem.mkdirNew(path));
  }

  rmdirRecursive(path: string): Promise<void> {
    return this.attempt('rm -r', path, () => this.fileSystem.rmdirRecursive(path));
  }

  /** Makes a directory's entries (files created, renamed, deleted) durable. */
  async fsyncDir(path: string): Promise<void> {
    const dir = await this.open(path, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }

  /** The whole file, or undefined if it does not exist. */
  async readFileIfExists(path: string): Promise<Buffer | undefined> {
    const file = await this.openIfExists(path, 'r');
    if (file === undefined) return undefined;
    try {
      const size = await file.size();
      const buffer = Buffer.allocUnsafe(size);
      const read = await file.read(buffer, 0);
      return buffer.subarray(0, read);
    } finally {
      await file.close();
    }
  }

  /**
   * Replaces `path` with `data` so that a crash leaves either the old or the
   * new content: write a .tmp, sync, rename, sync the directory. A .tmp that
   * could not be written whole (a full disk) is removed, not left holding
   * the space it got.
   */
  async writeFileAtomic(path: string, data: Buffer): Promise<void> {
    const tmp = `${path}.tmp`;
    const file = await this.open(tmp, 'w');
    try {
      await file.write([data], 0);
      await file.sync();
    } catch (error) {
      await file.close().catch(() => {});
      await this.unlinkIfExists(tmp).catch(() => {});
      throw error;
    }
    await file.close();
    await this.rename(tmp, path);
    await this.fsyncDir(dirname(path));
  }
}
