/**
 * What a process costs, read from /proc (Linux only): CPU time (utime + stime) and resident
 * memory, of one process tree (a server and its cluster workers) or of a list of pids (the
 * Postgres backends of one database). Read before and after a run, the difference over the
 * requests is the CPU per request, whoever else loads the machine.
 */
import { readFile, readdir } from "node:fs/promises";

// USER_HZ: the unit of utime/stime. 100 on every Linux this runs on (x86-64 and arm64 kernels).
const TICKS_PER_SECOND = 100;

/** `pid` and all its descendants (cluster workers are children of the primary). */
export async function treePids(pid: number): Promise<number[]> {
  const pids: number[] = [];
  const stack = [pid];
  while (stack.length > 0) {
    const p = stack.pop() as number;
    pids.push(p);
    for (const task of await readdir(`/proc/${p}/task`).catch(() => [])) {
      const children = await readFile(`/proc/${p}/task/${task}/children`, "utf8").catch(() => "");
      stack.push(...children.split(" ").filter(Boolean).map(Number));
    }
  }
  return pids;
}

/** utime + stime of one process in ms; 0 when it is gone. */
async function cpuMsOf(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
  // The command name (field 2) may hold spaces; the fields after its closing parenthesis do not.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after the name (state is 3).
  const ticks = Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
  return (ticks * 1000) / TICKS_PER_SECOND;
}

/** CPU ms of each pid, for a later `cpuSince`. */
export async function cpuSnapshot(pids: readonly number[]): Promise<Map<number, number>> {
  return new Map(await Promise.all(pids.map(async (p) => [p, await cpuMsOf(p)] as const)));
}

/**
 * CPU ms spent since `before` by `pids` (a pid not in `before` started since, and counts whole;
 * a pid that exited since is lost, so take `pids` at the end of a run with long-lived processes).
 */
export async function cpuSince(before: Map<number, number>, pids: readonly number[]): Promise<number> {
  const now = await cpuSnapshot(pids);
  let ms = 0;
  for (const [pid, t] of now) ms += t - (before.get(pid) ?? 0);
  return ms;
}

/** Resident memory of `pid` and all its descendants, in MiB. */
export async function treeRssMiB(pid: number): Promise<number> {
  let kib = 0;
  for (const p of await treePids(pid)) {
    const status = await readFile(`/proc/${p}/status`, "utf8").catch(() => "");
    kib += Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
  }
  return kib / 1024;
}
