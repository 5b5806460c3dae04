// Preloaded with `node -r bench/rss-probe.js <program>`: samples the process's RSS every 5 ms and, at exit, writes
// its peak and the process's whole CPU time (start-up included) as one JSON line to the file named by PROBE_OUT.
// The same sampling as bench/stream-rss.js, for programs the bench runs as they are (the CLI).
const { writeFileSync } = require('fs');

let peak = process.memoryUsage().rss;
setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 5).unref();
process.on('exit', () => {
  peak = Math.max(peak, process.memoryUsage().rss);
  const cpu = process.cpuUsage();
  writeFileSync(process.env.PROBE_OUT, `${JSON.stringify({ peakMb: peak / 1048576, cpuSeconds: (cpu.user + cpu.system) / 1e6 })}\n`);
});
