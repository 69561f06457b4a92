import { nodeFileSystem, type FileStat, type FileSystem } from './log-dir-io.js';

function errno(code: string, syscall: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(`${code}: injected fault, ${syscall}`);
  error.code = code;
  error.syscall = syscall;
  return error;
}

/**
 * The real file system with faults on demand, for tests of the single I/O
 * layer: writes that run out of space after N bytes (the last one short, as
 * a real full disk does), failing fdatasync or ftruncate, syncs, reads or
 * renames held until the test lets them go, and `crash()`,
 * which closes every file it opened and fails every later call — the log
 * object left behind can no longer touch the disk, as after a process crash
 * (the page cache, i.e. the files, survive).
 */
export class FaultyFileSystem implements FileSystem {
  private writeBudget = Infinity;
  private writeError = 'ENOSPC';
  private syncError: string | undefined;
  private truncateError: string | undefined;
  private crashed = false;
  private readGate: Promise<void> | undefined;
  private heldReads = 0;
  private syncGate: Promise<void> | undefined;
  private renameGate: { open: Promise<void>; holds: (to: string) => boolean } | undefined;
  /** Renames waiting at a holdRenames gate. */
  renamesHeld = 0;
  /** fdatasync calls begun (syncs counts the completed ones). */
  syncsStarted = 0;
  private readonly openFds = new Map<number, string>();
  /** The most files it had open at once. */
  peakOpenFiles = 0;
  bytesWritten = 0;
  /** The file of every writev or writevSync call, in order. */
  readonly writeCalls: string[] = [];
  /** The file of every read call, in order. */
  readonly readCalls: string[] = [];
  /** writevSync calls (inline writes); writeCalls.length - inlineWrites were made on the thread pool. */
  inlineWrites = 0;
  /** Every rename, in order. */
  readonly renames: [from: string, to: string][] = [];
  syncs = 0;
  /** The system call of every call made through it, in order ('open', 'stat', 'readdir', ...). */
  readonly calls: string[] = [];

  constructor(private readonly base: FileSystem = nodeFileSystem) {}

  /** Lets `bytes` more bytes be written, then fails writes with `code`. */
  failWritesAfter(bytes: number, code = 'ENOSPC'): void {
    this.writeBudget = bytes;
    this.writeError = code;
  }

  failSyncs(code = 'EIO'): void {
    this.syncError = code;
  }

  failTruncates(code = 'EIO'): void {
    this.truncateError = code;
  }

  /** Space is back, the disk is fine. */
  heal(): void {
    this.writeBudget = Infinity;
    this.syncError = undefined;
    this.truncateError = undefined;
  }

  /** Makes the next `count` reads (all, by default) wait until the returned function is called. */
  holdReads(count = Infinity): () => void {
    let open!: () => void;
    this.readGate = new Promise<void>((resolve) => (open = resolve));
    this.heldReads = count;
    return () => {
      this.readGate = undefined;
      open();
    };
  }

  /** Makes fdatasync calls wait until the returned function is called. */
  holdSyncs(): () => void {
    let open!: () => void;
    this.syncGate = new Promise<void>((resolve) => (open = resolve));
    return () => {
      this.syncGate = undefined;
      open();
    };
  }

  /** Makes renames to a path `holds` accepts (every rename by default) wait until the returned function is called. */
  holdRenames(holds: (to: string) => boolean = () => true): () => void {
    let open!: () => void;
    this.renameGate = { open: new Promise<void>((resolve) => (open = resolve)), holds };
    return () => {
      this.renameGate = undefined;
      this.renamesHeld = 0;
      open();
    };
  }

  /** The paths of the files opened through it and not closed yet. */
  get openFiles(): string[] {
    return [...this.openFds.values()];
  }

  async crash(): Promise<void> {
    this.crashed = true;
    for (const fd of this.openFds.keys()) await this.base.close(fd).catch(() => {});
    this.openFds.clear();
  }

  private check(syscall: string): void {
    this.calls.push(syscall);
    if (this.crashed) throw errno('EIO', `${syscall} after crash`);
  }

  async open(path: string, flags: string | number): Promise<number> {
    this.check('open');
    const fd = await this.base.open(path, flags);
    this.openFds.set(fd, path);
    this.peakOpenFiles = Math.max(this.peakOpenFiles, this.openFds.size);
    return fd;
  }

  async close(fd: number): Promise<void> {
    this.check('close');
    this.openFds.delete(fd);
    await this.base.close(fd);
  }

  async read(fd: number, buffer: Buffer, offset: number, length: number, position: number): Promise<number> {
    this.check('read');
    this.readCalls.push(this.openFds.get(fd) ?? '?');
    if (this.readGate !== undefined && this.heldReads > 0) {
      this.heldReads--;
      await this.readGate;
    }
    return this.base.read(fd, buffer, offset, length, position);
  }

  async writev(fd: number, buffers: readonly Buffer[], position: number): Promise<number> {
    const allowed = this.spendWriteBudget(fd, buffers, 'writev');
    const written = await this.base.writev(fd, allowed, position);
    this.bytesWritten += written;
    return written;
  }

  writevSync(fd: number, buffers: readonly Buffer[], position: number): number {
    const allowed = this.spendWriteBudget(fd, buffers, 'writevSync');
    const written = this.base.writevSync(fd, allowed, position);
    this.bytesWritten += written;
    return written;
  }

  /** The part of `buffers` the write budget lets through (all, or a short write), or the injected error once it is spent. */
  private spendWriteBudget(fd: number, buffers: readonly Buffer[], syscall: string): readonly Buffer[] {
    this.check(syscall);
    this.writeCalls.push(this.openFds.get(fd) ?? '?');
    if (syscall === 'writevSync') this.inlineWrites++;
    const total = buffers.reduce((n, b) => n + b.length, 0);
    if (total <= this.writeBudget) {
      this.writeBudget -= total;
      return buffers;
    }
    if (this.writeBudget <= 0) throw errno(this.writeError, syscall);
    let left = this.writeBudget;
    this.writeBudget = 0;
    const partial: Buffer[] = [];
    for (const b of buffers) {
      if (left === 0) break;
      partial.push(b.subarray(0, Math.min(left, b.length)));
      left -= Math.min(left, b.length);
    }
    return partial;
  }

  async fdatasync(fd: number): Promise<void> {
    this.check('fdatasync');
    this.syncsStarted++;
    if (this.syncGate !== undefined) await this.syncGate;
    if (this.syncError !== undefined) throw errno(this.syncError, 'fdatasync');
    await this.base.fdatasync(fd);
    this.syncs++;
  }

  async fsync(fd: number): Promise<void> {
    this.check('fsync');
    if (this.syncError !== undefined) throw errno(this.syncError, 'fsync');
    await this.base.fsync(fd);
  }

  async ftruncate(fd: number, length: number): Promise<void> {
    this.check('ftruncate');
    if (this.truncateError !== undefined) throw errno(this.truncateError, 'ftruncate');
    await this.base.ftruncate(fd, length);
  }

  async fstat(fd: number): Promise<FileStat> {
    this.check('fstat');
    return this.base.fstat(fd);
  }

  async stat(path: string): Promise<FileStat> {
    this.check('stat');
    return this.base.stat(path);
  }

  async readdir(path: string): Promise<string[]> {
    this.check('readdir');
    return this.base.readdir(path);
  }

  async rename(from: string, to: string): Promise<void> {
    this.check('rename');
    const gate = this.renameGate;
    if (gate?.holds(to)) {
      this.renamesHeld++;
      await gate.open;
    }
    await this.base.rename(from, to);
    this.renames.push([from, to]);
  }

  async unlink(path: string): Promise<void> {
    this.check('unlink');
    await this.base.unlink(path);
  }

  async mkdir(path: string): Promise<void> {
    this.check('mkdir');
    await this.base.mkdir(path);
  }

  async mkdirNew(path: string): Promise<boolean> {
    this.check('mkdir');
    return this.base.mkdirNew(path);
  }

  async rmdirRecursive(path: string): Promise<void> {
    this.check('rmdirRecursive');
    await this.base.rmdirRecursive(path);
  }
}
