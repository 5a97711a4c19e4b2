// Reads a trace written by `npm run bench -- --trace` and prints, per thread, how busy it
// was and which JavaScript functions took the most self time (from the V8 CPU samples).
// Usage: node bench/analyze-trace.mjs [bench/results/trace.json] [top=15]
import { readFile } from 'node:fs/promises';

// For the busiest threads it also lists the longest tasks and what was sampled inside them.
const file = process.argv[2] ?? 'bench/results/trace.json';
const top = Number(process.argv[3] ?? 15);
const { traceEvents: events } = JSON.parse(await readFile(file, 'utf8'));

const threadName = new Map();
const processName = new Map();
for (const e of events) {
  if (e.ph !== 'M') continue;
  if (e.name === 'thread_name') threadName.set(`${e.pid}:${e.tid}`, e.args.name);
  if (e.name === 'process_name') processName.set(e.pid, e.args.name);
}
const label = (pid, tid) =>
  `${processName.get(pid) ?? 'pid ' + pid} / ${threadName.get(`${pid}:${tid}`) ?? tid}`;

// Busy time: top-level tasks per thread.
const busy = new Map();
for (const e of events) {
  if (e.ph !== 'X' || e.name !== 'ThreadControllerImpl::RunTask') continue;
  const key = `${e.pid}:${e.tid}`;
  const b = busy.get(key) ?? { ms: 0, tasks: 0, longest: 0 };
  b.ms += (e.dur ?? 0) / 1000;
  b.tasks++;
  b.longest = Math.max(b.longest, (e.dur ?? 0) / 1000);
  busy.set(key, b);
}

// CPU samples: Profile / ProfileChunk events carry nodes and samples per profile id.
const profiles = new Map();
for (const e of events) {
  if (e.name !== 'Profile' && e.name !== 'ProfileChunk') continue;
  const id = `${e.pid}:${e.id}`;
  const p = profiles.get(id) ?? {
    pid: e.pid,
    tid: e.tid,
    nodes: new Map(),
    samples: [],
    deltas: [],
  };
  if (e.name === 'Profile') p.tid = e.tid;
  const data = e.args?.data ?? {};
  if (e.name === 'Profile') p.startTime = data.startTime;
  for (const node of data.cpuProfile?.nodes ?? []) p.nodes.set(node.id, node);
  p.samples.push(...(data.cpuProfile?.samples ?? []));
  p.deltas.push(...(data.timeDeltas ?? []));
  profiles.set(id, p);
}

console.log('Busy threads (top-level tasks):');
for (const [key, b] of [...busy].sort((x, y) => y[1].ms - x[1].ms).slice(0, 12)) {
  const [pid, tid] = key.split(':').map(Number);
  console.log(
    `  ${b.ms.toFixed(0).padStart(6)} ms in ${String(b.tasks).padStart(6)} tasks, longest ${b.longest.toFixed(1)} ms — ${label(pid, tid)}`,
  );
}

for (const p of profiles.values()) {
  const self = new Map();
  let total = 0;
  p.samples.forEach((nodeId, i) => {
    const node = p.nodes.get(nodeId);
    const dt = (p.deltas[i] ?? 0) / 1000;
    if (!node) return;
    const f = node.callFrame;
    const name = `${f.functionName || '(anonymous)'} ${f.url ? f.url.split('/').slice(-2).join('/').split('?')[0] : ''}:${f.lineNumber ?? ''}`;
    self.set(name, (self.get(name) ?? 0) + dt);
    if (f.functionName !== '(idle)') total += dt;
  });
  if (total < 20) continue;
  console.log(
    `\nCPU self time, ${label(p.pid, p.tid)} (${total.toFixed(0)} ms sampled, not idle):`,
  );
  for (const [name, ms] of [...self]
    .filter(([n]) => !n.startsWith('(idle)'))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)) {
    console.log(
      `  ${ms.toFixed(1).padStart(8)} ms  ${((100 * ms) / total).toFixed(1).padStart(5)} %  ${name}`,
    );
  }
}

// The longest tasks of the busiest threads, with the functions sampled inside each.
const fnName = (node) => {
  const f = node.callFrame;
  const where = f.url ? f.url.split('/').slice(-2).join('/').split('?')[0] : '';
  return `${f.functionName || '(anonymous)'} ${where}:${f.lineNumber ?? ''}`;
};
for (const p of profiles.values()) {
  let t = p.startTime ?? 0;
  p.times = p.deltas.map((d) => (t += d));
}
const tasks = events.filter((e) => e.ph === 'X' && e.name === 'ThreadControllerImpl::RunTask');
for (const [key] of [...busy].sort((x, y) => y[1].ms - x[1].ms).slice(0, 3)) {
  const [pid, tid] = key.split(':').map(Number);
  const longest = tasks
    .filter((e) => e.pid === pid && e.tid === tid)
    .sort((a, b) => b.dur - a.dur)
    .slice(0, 5);
  const profile = [...profiles.values()].find((p) => p.pid === pid && p.tid === tid);
  console.log(`\nLongest tasks — ${label(pid, tid)}:`);
  for (const task of longest) {
    const inside = new Map();
    profile?.samples.forEach((id, i) => {
      const at = profile.times[i];
      if (at < task.ts || at > task.ts + task.dur) return;
      const node = profile.nodes.get(id);
      if (node)
        inside.set(fnName(node), (inside.get(fnName(node)) ?? 0) + (profile.deltas[i] ?? 0) / 1000);
    });
    const parts = [...inside].sort((a, b) => b[1] - a[1]).slice(0, 4);
    console.log(
      `  ${(task.dur / 1000).toFixed(1).padStart(8)} ms: ${parts.map(([n, ms]) => `${n.trim()} ${ms.toFixed(0)} ms`).join('; ')}`,
    );
  }
}
