/**
 * Crash points for the crash-safety tests: when `PATCHGATE_FAILPOINT` names this point, the process kills
 * itself with SIGKILL right here — no cleanup, no flush, as a power cut would. Inert otherwise. The points
 * sit between every side effect and the record of it (a transaction broadcast, its receipt, a state change,
 * a commit). Here, at the bottom of the layers, so the store can have crash points too.
 */
export function failpoint(name: string): void {
  if (process.env.PATCHGATE_FAILPOINT === name) process.kill(process.pid, 'SIGKILL');
}
