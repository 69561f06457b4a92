// A group member the test can crash: a kafkajs consumer in a child process
// (group-member-process) killed with SIGKILL, so it never sends LeaveGroup
// and its coordinator only learns it is gone when its session times out.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { MemberLog } from './group-member.test-support.js';
import type { MemberEvent } from './group-member.test-support.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const entry = fileURLToPath(new URL('./group-member-process.test-support.ts', import.meta.url));

export class ChildMember extends MemberLog {
  readonly #child: ChildProcess;
  #stderr = '';
  readonly #exited: Promise<void>;

  private constructor(name: string, child: ChildProcess) {
    super(name);
    this.#child = child;
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.#stderr += chunk));
    child.on('message', (event: MemberEvent) => this.apply(event));
    this.#exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  /** Starts a member of `groupId` reading `topic` (from the beginning when the group has no commit) in its own process. */
  static start(bootstrap: string, name: string, groupId: string, topic: string): ChildMember {
    const child = spawn(process.execPath, ['--conditions=@kstream/source', '--import', 'tsx', entry, bootstrap, groupId, topic], {
      cwd: repoRoot,
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    return new ChildMember(name, child);
  }

  /** What the process wrote to stderr (an uncaught error), for a failure message. */
  get stderr(): string {
    return this.#stderr;
  }

  /** SIGKILL, as a crash: no LeaveGroup, no last commit. Resolves once the process is gone. */
  async kill(): Promise<void> {
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill('SIGKILL');
    await this.#exited;
  }
}
