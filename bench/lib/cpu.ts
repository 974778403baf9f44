import { readdirSync, readFileSync } from 'node:fs';

// /proc reports CPU time in clock ticks; USER_HZ is 100 on every Linux the benchmark runs on.
const TICKS_PER_SECOND = 100;

/** Fields of /proc/<pid>/stat after the command name (which may itself hold spaces and parentheses). */
function statFields(pid: number | string): string[] | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return s.slice(s.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/**
 * CPU seconds (user + system) of a process and its children: the live ones, and the ones it has
 * already reaped (counted in its own cutime and cstime). For a PostgreSQL postmaster that is the whole
 * server: backends, autovacuum, checkpointer and WAL writer, including backends that have exited.
 * Null where /proc is not there to read.
 */
export function treeCpuSeconds(pid: number): number | null {
  const own = statFields(pid);
  if (!own) return null;
  // Counted from the state field (stat field 3): utime, stime, cutime, cstime are fields 14-17.
  let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === pid) continue;
    const f = statFields(entry);
    if (f && Number(f[1]) === pid) ticks += Number(f[11]) + Number(f[12]);
  }
  return ticks / TICKS_PER_SECOND;
}
