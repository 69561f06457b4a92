// The CPU this process uses, in cores, over a window: the idle node's cost,
// and the load process's own while it drives requests.
/** Starts measuring this process's CPU time (every thread's, the thread pool's included); the function returned gives the cores used since, on average. */
export function cpuMeter(): () => number {
  const cpuBefore = process.cpuUsage();
  const wallBefore = performance.now();
  return () => {
    const cpu = process.cpuUsage(cpuBefore);
    return (cpu.user + cpu.system) / 1000 / (performance.now() - wallBefore);
  };
}
