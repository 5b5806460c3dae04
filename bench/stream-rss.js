// One streamed seal in a process of its own, on the bundled library (bench/bundle.ts), so peak RSS and speed are
// the library's and not ts-node's: `node stream-rss.js <bundle> <ours|node> <MiB> [frame size]`. Input arrives in
// 64 KiB chunks, as from a file stream, into a sink. `node` is the limit: a plain node:crypto AES-256-GCM cipher stream. The KMS
// is an in-process stand-in of the plain-operations shape (KmsOperations in src/envelope/kms.ts), so the envelope
// builds no SDK command objects and @aws-sdk/client-kms is not loaded: an application that passes its own KMSClient
// has the SDK in memory anyway, whatever the stream costs. Prints one JSON line.
const { Readable, Writable } = require('stream');
const { pipeline } = require('stream/promises');
const { createCipheriv, randomBytes } = require('crypto');

const [bundlePath, mode, mib, frameSize] = process.argv.slice(2);
const master = randomBytes(32);
const kms = {
  kmsOperation: async () => {
    const key = randomBytes(32);
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', master, iv);
    return { Plaintext: new Uint8Array(key), CiphertextBlob: Buffer.concat([iv, c.update(key), c.final(), c.getAuthTag()]), KeyId: 'arn:aws:kms:eu-west-1:111122223333:key/bench' };
  },
};

(async () => {
  const transform = mode === 'ours'
    ? require(bundlePath).createSealStream({ keyIds: ['k'], kms, ...(frameSize ? { frameSize: Number(frameSize) } : {}) })
    : createCipheriv('aes-256-gcm', randomBytes(32), randomBytes(12));
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 5);
  const chunk = randomBytes(64 * 1024);
  const chunks = Number(mib) * 16;
  let sent = 0;
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  await pipeline(
    new Readable({ read() { this.push(sent++ < chunks ? chunk : null); } }),
    transform,
    new Writable({ write(_c, _e, cb) { cb(); } }),
  );
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const used = process.cpuUsage(cpu);
  const cpuSeconds = (used.user + used.system) / 1e6;
  process.stdout.write(`${JSON.stringify({ baselineMb: baseline / 1048576, peakMb: peak / 1048576, mibPerSecond: Number(mib) / seconds, mibPerCpuSecond: Number(mib) / cpuSeconds })}\n`);
})();
