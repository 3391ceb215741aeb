/**
 * Runs a command and measures it: wall time, CPU time (user + system, children included) and peak memory, both of
 * the largest single process and of all its processes together (jscodeshift's runner forks workers; ours uses
 * threads inside one process).
 *
 * CPU time and the largest process's peak come from GNU time (`/usr/bin/time`), which reads them from the kernel
 * when the command ends. The all-processes peak is sampled from /proc every 20 ms. Without GNU time, CPU time is
 * sampled from /proc too (marked "≈"); without /proc, only wall time is known.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const GNU_TIME = '/usr/bin/time';
const SAMPLE_MS = 20;
const CLOCK_TICKS = 100; // USER_HZ: /proc/<pid>/stat counts CPU time in 1/100 s on Linux

/** Whether /usr/bin/time is GNU time (BusyBox and BSD time have no -f/-o). */
export const hasGnuTime = (() => {
  if (!existsSync(GNU_TIME)) return false;
  const probe = spawnSync(GNU_TIME, ['-f', '%M', 'true'], { encoding: 'utf8' });
  return probe.status === 0 && /^\d+\s*$/.test(probe.stderr);
})();

export const hasProc = existsSync('/proc/self/status');

function read(file) {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** The pid and every descendant still alive (Node starts child processes from its main thread). */
function processTree(pid) {
  const all = [pid];
  for (let i = 0; i < all.length; i++) {
    const children = read(`/proc/${all[i]}/task/${all[i]}/children`);
    if (children) all.push(...children.trim().split(/\s+/).filter(Boolean).map(Number));
  }
  return all;
}

function rssKb(pid) {
  const match = /VmRSS:\s+(\d+) kB/.exec(read(`/proc/${pid}/status`) ?? '');
  return match ? Number(match[1]) : 0;
}

/** utime + stime of a process, plus the time of its children already reaped (cutime + cstime), in seconds. */
function cpuSeconds(pid) {
  const stat = read(`/proc/${pid}/stat`);
  if (!stat) return 0;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS;
}

/**
 * Runs `command args` in `cwd` and resolves to { code, stdout, stderr, wall, cpu, cpuSampled, peakMb, treePeakMb }.
 * Times are in seconds, memory in MB (2^20 bytes); unknown values are undefined.
 */
export function measure(command, args, { cwd, env } = {}) {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'migrate-bench-time-'));
  const timeFile = path.join(scratch, 'time');
  const [file, argv] = hasGnuTime ? [GNU_TIME, ['-f', '%U %S %M', '-o', timeFile, command, ...args]] : [command, args];
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(file, argv, { cwd, env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    let treePeakKb = 0;
    let sampledCpu = 0;
    const sample = () => {
      if (!hasProc) return;
      const tree = processTree(child.pid);
      // GNU time itself is not the command: its few hundred kB are left out.
      const measured = hasGnuTime ? tree.slice(1) : tree;
      treePeakKb = Math.max(treePeakKb, measured.reduce((sum, pid) => sum + rssKb(pid), 0));
      if (!hasGnuTime) sampledCpu = Math.max(sampledCpu, tree.reduce((sum, pid) => sum + cpuSeconds(pid), 0));
    };
    const timer = setInterval(sample, SAMPLE_MS);
    child.on('error', (error) => {
      clearInterval(timer);
      reject(error);
    });
    child.on('close', (code) => {
      const wall = (performance.now() - started) / 1000;
      clearInterval(timer);
      const result = { code, stdout, stderr, wall, cpu: undefined, cpuSampled: false, peakMb: undefined, treePeakMb: undefined };
      if (hasProc) result.treePeakMb = treePeakKb / 1024;
      const times = hasGnuTime ? read(timeFile)?.trim().split('\n').at(-1)?.split(' ') : undefined;
      if (times && times.length === 3) {
        result.cpu = Number(times[0]) + Number(times[1]);
        result.peakMb = Number(times[2]) / 1024;
        // A short run can end between two samples: the largest process is a floor for all of them together.
        if (result.treePeakMb !== undefined) result.treePeakMb = Math.max(result.treePeakMb, result.peakMb);
      } else if (hasProc && !hasGnuTime) {
        result.cpu = sampledCpu;
        result.cpuSampled = true;
      }
      rmSync(scratch, { recursive: true, force: true });
      resolve(result);
    });
  });
}
