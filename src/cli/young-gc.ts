/**
 * A minor GC (a scavenge of the young generation) on demand, for the stream worker's seal (./fd-seal.ts).
 *
 * Why: every frame's ciphertext is a new 64 KiB buffer (node's `cipher.update` cannot write into ours), whose memory
 * is freed only once a collection finds its small JS wrapper dead. The seal loop allocates so few JS objects that
 * the young generation seldom fills, and V8 let some 30-35 MB of dead buffers pile up before its external-memory
 * limit started a collection: peak RSS 110 MB for 1 GiB, against 78 MB with a scavenge every 2 MiB, whose CPU cost is
 * within the noise of the run (docs/performance.md). A smaller young generation (the worker's `resourceLimits`)
 * changed nothing, since it is not what fills.
 *
 * How: `gc` exists only with --expose-gc, which a worker's execArgv may not carry; set at run time, the flag applies
 * to contexts created afterwards, such as the vm context `gc` is read from here (in the worker; the main thread's
 * context has no `gc`). If the flag cannot be set, nothing is collected early and the seal is otherwise the same.
 * @module
 */
import { setFlagsFromString } from 'v8';
import { runInNewContext } from 'vm';

/** A function running a minor GC, or undefined where none is available. */
export function youngGc(): (() => void) | undefined {
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as ((options: { type: 'minor' }) => void) | undefined;
    return typeof gc === 'function' ? () => gc({ type: 'minor' }) : undefined;
  } catch {
    return undefined;
  }
}
