// CPU time from /proc, for processes this benchmark does not run in: the
// node (a child started as a user starts it) and the commands it times.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second, the unit of /proc's CPU times (`getconf CLK_TCK`, 100 on Linux). */
const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/**
 * utime, stime, cutime and cstime of a /proc/<...>/stat line, in seconds. The
 * command name (field 2) is in parentheses and may hold spaces, so fields are
 * counted from the last ')'.
 */
function statTimes(statPath: string): { own: number; children: number } {
  const stat = readFileSync(statPath, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): utime is field 14, stime 15, cutime 16, cstime 17.
  const [utime, stime, cutime, cstime] = [11, 12, 13, 14].map((i) => Number(fields[i]));
  return { own: (utime! + stime!) / TICKS_PER_SECOND, children: (cutime! + cstime!) / TICKS_PER_SECOND };
}

/** User plus system CPU seconds of process `pid`, all its threads, live and exited. */
export function processCpuSeconds(pid: number): number {
  return statTimes(`/proc/${pid}/stat`).own;
}

/**
 * User plus system CPU seconds of this process's children that have exited
 * and been waited for, and of theirs: bracket a child's run with it to get
 * the child's CPU time (a shell pipeline's commands included).
 */
export function reapedChildrenCpuSeconds(): number {
  return statTimes('/proc/self/stat').children;
}

/** CPU seconds of each live thread of `pid`, by thread id. Node 20 names no thread, so the ids are all there is. */
export function threadCpuSeconds(pid: number): Map<number, number> {
  const threads = new Map<number, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      threads.set(Number(tid), statTimes(`/proc/${pid}/task/${tid}/stat`).own);
    } catch {
      // The thread exited between the listing and the read; its time stays in the process's total.
    }
  }
  return threads;
}
