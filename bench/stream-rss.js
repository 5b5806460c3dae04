// Peak RSS of a streamed 1 GiB seal, in a process of its own running the compiled library (lib/, from
// `npx projen compile`), so the figure is the library's and not ts-node's. Input arrives in 64 KiB chunks, as from
// a file stream; the KMS is an in-process stand-in. Prints one JSON line.
const { Readable, Writable } = require('stream');
const { pipeline } = require('stream/promises');
const { createCipheriv, randomBytes } = require('crypto');
const { createSealStream } = require(process.argv[2]);

const master = randomBytes(32);
const kms = {
  send: async () => {
    const key = randomBytes(32);
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', master, iv);
    return { Plaintext: new Uint8Array(key), CiphertextBlob: Buffer.concat([iv, c.update(key), c.final(), c.getAuthTag()]), KeyId: 'arn:aws:kms:eu-west-1:111122223333:key/bench' };
  },
};

(async () => {
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 10);
  const chunk = randomBytes(64 * 1024);
  let sent = 0;
  const start = process.hrtime.bigint();
  await pipeline(
    new Readable({ read() { this.push(sent++ < 16384 ? chunk : null); } }),
    createSealStream({ keyIds: ['k'], kms }),
    new Writable({ write(_c, _e, cb) { cb(); } }),
  );
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  process.stdout.write(`${JSON.stringify({ baselineMb: baseline / 1048576, peakMb: peak / 1048576, mibPerSecond: 1024 / seconds })}\n`);
})();
