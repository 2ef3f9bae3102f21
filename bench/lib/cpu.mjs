// CPU accounting from /proc (Linux): the machine as a whole, and a set of process ids.
import { readFileSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import os from 'node:os';

const TICK_US = 1e6 / 100; // USER_HZ is 100 on Linux

/** Busy and total CPU time of the whole machine, in µs (all cores). */
export function machineCpu() {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = (f[3] ?? 0) + (f[4] ?? 0);
    const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busyUs: (total - idle) * TICK_US, totalUs: total * TICK_US };
  } catch {
    return undefined;
  }
}

/** utime+stime of one process in µs, or undefined if it is gone or unreadable. */
export function processCpuUs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * TICK_US;
  } catch {
    return undefined;
  }
}

export function processName(pid) {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** Sum of CPU µs over pids; pids missing at either end are skipped (reported in `lost`). */
export function snapshotPids(pids) {
  const m = new Map();
  for (const pid of pids) {
    const us = processCpuUs(pid);
    if (us !== undefined) m.set(pid, us);
  }
  return m;
}

export function diffPids(before, after) {
  let us = 0;
  let lost = 0;
  for (const [pid, t0] of before) {
    const t1 = after.get(pid);
    if (t1 === undefined) lost++;
    else us += t1 - t0;
  }
  return { us, lost };
}

/** All pids whose comm is `name` (e.g. every postgres process on this host). */
export function pidsNamed(name) {
  const out = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    if (processName(entry) === name) out.push(Number(entry));
  }
  return out;
}

/** Pins this process (all threads) to a CPU list with taskset; returns false if unavailable. */
export function pinSelf(cpus) {
  try {
    execFileSync('taskset', ['-a', '-p', '-c', cpus, String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function hasTaskset() {
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export const cpuCount = () => os.availableParallelism?.() ?? os.cpus().length;

/** CPU µs of every process on the host (for naming the noise when the machine is shared). */
export function snapshotAll() {
  const m = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const us = processCpuUs(entry);
    if (us !== undefined) m.set(Number(entry), us);
  }
  return m;
}

function commandLine(pid) {
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
    return cmd || processName(pid) || '?';
  } catch {
    return processName(pid) ?? '?';
  }
}

/** The `n` processes outside `exclude` that used the most CPU between two snapshotAll()s. */
export function topOthers(before, after, exclude, durationMs, n = 3) {
  const rows = [];
  for (const [pid, t1] of after) {
    if (exclude.has(pid)) continue;
    const us = t1 - (before.get(pid) ?? 0);
    if (us > 0) rows.push({ pid, us });
  }
  rows.sort((a, b) => b.us - a.us);
  return rows.slice(0, n).map(({ pid, us }) => ({
    pid,
    cores: Math.round((us / durationMs / 1000) * 100) / 100,
    cmd: commandLine(pid).slice(0, 80),
  }));
}
