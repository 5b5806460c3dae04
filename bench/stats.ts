/**
 * What every benchmark shares: quick mode, interleaved repeated sampling, median and range, the printed table and
 * the summary rows `bench/run.ts` gathers. No threshold here: the figures are reported, never asserted.
 * @module
 */
import { appendFileSync } from 'fs';

/** `npm run bench -- --quick`: fewer and shorter samples, the whole run in under two minutes. */
export const QUICK = process.env.BENCH_QUICK === '1';
/** Samples per contender (interleaved). */
export const REPS = Number(process.env.BENCH_REPS ?? 5);

export interface Contender {
  readonly name: string;
  /** One operation (sync or async). */
  readonly run: () => unknown;
}

export interface InterleaveOptions {
  /**
   * A full collection before every sample (run.ts starts the benches with --expose-gc), so that no contender pays for
   * the garbage the one before it left: for many short operations per sample (the envelope's). Not for one long
   * operation per sample (a synthesis): the heap shrunk by the collection is grown again inside every sample, a
   * constant added to every contender that pulls their ratios towards 1.
   * @default false
   */
  readonly collectBetween?: boolean;
}

/** Samples of one contender: operations per CPU-second of this process, and per wall-second. */
export interface Samples {
  readonly name: string;
  readonly perCpuSecond: number[];
  readonly perSecond: number[];
}

/**
 * Runs the contenders in turn, `reps` rounds, each for `budgetMs` (at least `minOps` operations), in a new order
 * every round (a shuffle seeded by the round, so runs repeat): none always runs first (after a GC, on a cold cache),
 * and none always runs after the same contender. A contender inherits the state its predecessor left the process in:
 * at 64 MiB, whether glibc has handed the freed cipher outputs back to the kernel decides whether the next messages
 * fault their pages in again (about 22 against 36 ms a message here), and with the rounds merely rotated, "raw framed"
 * always followed the ESDK's default and ran in the fast state while "ours into a buffer" always followed the
 * one-shot GCM and ran in the slow one (0.6x, where the two are equal run alone or shuffled). Rates are per CPU-second
 * of this process (user + system, GC threads included), which a busy shared machine disturbs less than wall time.
 */
export async function interleave(
  contenders: Contender[], budgetMs: number, reps = REPS, minOps = 2, options: InterleaveOptions = {},
): Promise<Map<string, Samples>> {
  const samples = new Map<string, Samples>(contenders.map(c => [c.name, { name: c.name, perCpuSecond: [], perSecond: [] }]));
  for (const c of contenders) await c.run(); // warm every path once
  for (let round = 0; round < reps; round++) {
    for (const c of shuffled(contenders, round + 1)) {
      if (options.collectBetween) collectGarbage();
      const cpu = process.cpuUsage();
      const start = process.hrtime.bigint();
      let n = 0;
      while (n < minOps || Number(process.hrtime.bigint() - start) / 1e6 < budgetMs) {
        const r = c.run();
        if (r instanceof Promise) await r;
        n++;
      }
      const wall = Number(process.hrtime.bigint() - start) / 1e9;
      const used = process.cpuUsage(cpu);
      const cpuSeconds = (used.user + used.system) / 1e6;
      samples.get(c.name)!.perCpuSecond.push(n / cpuSeconds);
      samples.get(c.name)!.perSecond.push(n / wall);
    }
  }
  return samples;
}

/** Fisher–Yates with a small seeded generator (Park–Miller): an order that differs per round and repeats per run. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  let state = (seed * 7919) % 2147483647;
  const next = () => (state = (state * 48271) % 2147483647) / 2147483647;
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** A full collection when node was started with --expose-gc (bench/run.ts does), else nothing. */
function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** `median (min–max)` with a unit scale. */
export function summary(values: number[], digits = 0, scale = 1): string {
  const v = values.map(x => x * scale);
  return `${median(v).toFixed(digits)} (${Math.min(...v).toFixed(digits)}–${Math.max(...v).toFixed(digits)})`;
}

export function ratio(a: number, b: number): string {
  return Number.isFinite(a / b) ? `${(a / b).toFixed(2)}x` : 'n/a';
}

/** Prints rows as an aligned table. */
export function printTable(rows: string[][]): void {
  const widths = rows[0].map((_, i) => Math.max(...rows.map(r => (r[i] ?? '').length)));
  process.stdout.write(`${rows.map(r => r.map((c, i) => (c ?? '').padEnd(widths[i])).join('  ').trimEnd()).join('\n')}\n`);
}

/** One line of the run's summary table (what, ours, peer, ratio, goal), gathered by bench/run.ts. */
export function addSummary(what: string, ours: string, peer: string, value: string, goal: string): void {
  const file = process.env.BENCH_SUMMARY;
  if (file) appendFileSync(file, `${JSON.stringify([what, ours, peer, value, goal])}\n`);
}
