// What the benchmarks read from /proc (Linux): the processes of a server's group with their CPU
// time, a process's command line and memory, and how busy the whole machine has been. Shared by
// every benchmark that starts `wrangler dev` (run, profile, routing, chaos, jobs).

import { readdirSync, readFileSync } from "node:fs";

/** Kernel clock ticks per second (USER_HZ), the unit of utime/stime in /proc/<pid>/stat. */
export const CLOCK_TICKS_PER_S = 100;

/**
 * Every process: pid, parent, process group, command name and user + system CPU seconds so far.
 * Zombies are left out unless asked for (their CPU time is already their parent's).
 */
export function listProcesses({ zombies = false } = {}) {
  const processes = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // exited while we looked
    }
    // "pid (comm) state ppid pgrp ... utime stime ..."; comm may hold spaces and parentheses, so
    // split at the last ")". After it: state is field 3, utime field 14 and stime field 15 of proc(5).
    const close = stat.lastIndexOf(")");
    const fields = stat.slice(close + 2).split(" ");
    if (!zombies && (fields[0] === "Z" || fields[0] === "X")) continue;
    processes.push({
      pid: Number(entry),
      ppid: Number(fields[1]),
      pgrp: Number(fields[2]),
      comm: stat.slice(stat.indexOf("(") + 1, close),
      cpuS: (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_S,
    });
  }
  return processes;
}

/** A process's command line, arguments joined by spaces ("" if it has gone). */
export function commandLine(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ");
  } catch {
    return "";
  }
}

/** VmRSS of a process in bytes, or null if it has gone. */
export function rssBytes(pid) {
  try {
    const match = readFileSync(`/proc/${pid}/status`, "utf8").match(/^VmRSS:\s+(\d+) kB/m);
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** CPU seconds the whole machine has spent busy (not idle or waiting on I/O), from /proc/stat. */
export function machineBusySeconds() {
  const [, ...ticks] = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = ticks;
  return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS_PER_S;
}

/**
 * `wrangler dev` runs two workerd processes: a proxy bound to the public port, and the runtime
 * that hosts the Worker. True for the proxy of the server on `port`.
 */
export function isWorkerdProxy(pid, port) {
  return commandLine(pid).includes(`entry=127.0.0.1:${port} `);
}
