// The limit for `guarded-keys seal` on stdin/stdout: a plain node:crypto AES-256-GCM cipher stream from stdin to
// stdout, in a process of its own (as the CLI runs), for bench/envelope.bench.ts.
const { createCipheriv, randomBytes } = require('crypto');
const { pipeline } = require('stream');

pipeline(process.stdin, createCipheriv('aes-256-gcm', randomBytes(32), randomBytes(12)), process.stdout, err => {
  if (err) {
    process.stderr.write(`${err.message}\n`);
    process.exitCode = 1;
  }
});
