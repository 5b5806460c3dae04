import { constants, createHash, randomBytes, createPublicKey, diffieHellman, generateKeyPairSync, sign as nodeSign, verify as nodeVerify } from 'crypto';
import {
  CreateKeyCommand, DecryptCommand, DeriveSharedSecretCommand, DescribeKeyCommand, EncryptCommand, GetPublicKeyCommand, KeySpec, KeyUsageType,
  ReEncryptCommand, SignCommand, SigningAlgorithmSpec, VerifyCommand, CreateGrantCommand,
} from '@aws-sdk/client-kms';
import { ed25519 } from '@noble/curves/ed25519';
import { p256 } from '@noble/curves/p256';
import { p384 } from '@noble/curves/p384';
import { p521 } from '@noble/curves/p521';
import { secp256k1 } from '@noble/curves/secp256k1';
import { keccak_256, shake256 } from '@noble/hashes/sha3';
import { bytes, errorOf, startTestEmulator, TestEmulator } from '../support';
import { GO, goVerifiesEd25519ph, OPENSSL, opensslVerifiesDigest, PYTHON, pythonVerifiesMlDsa } from './independent';

/**
 * The key kinds and operations KMS added for digest signers, post-quantum and Edwards keys, and key agreement,
 * each through the SDK; wherever a public key leaves the emulator the result is checked by another implementation
 * (Node's OpenSSL, noble, the openssl CLI, pyca/cryptography, Go) than the one the emulator used.
 */
describe('key kinds: digest signing, Ed25519, ML-DSA, key agreement, RSA ReEncrypt', () => {
  let t: TestEmulator;
  beforeAll(async () => { t = await startTestEmulator(); });
  afterAll(() => t.emulator.stop());

  const create = async (spec: KeySpec, KeyUsage: KeyUsageType) => (await t.kms.send(new CreateKeyCommand({ KeySpec: spec, KeyUsage }))).KeyMetadata!;
  const publicKeyOf = async (KeyId: string) => Buffer.from((await t.kms.send(new GetPublicKeyCommand({ KeyId }))).PublicKey!);
  const signDigest = async (KeyId: string, digest: Uint8Array, SigningAlgorithm: SigningAlgorithmSpec) =>
    Buffer.from((await t.kms.send(new SignCommand({ KeyId, Message: digest, MessageType: 'DIGEST', SigningAlgorithm }))).Signature!);

  describe('ECDSA over a digest (MessageType DIGEST)', () => {
    test.each([
      ['ECC_NIST_P256', 'ECDSA_SHA_256', 'sha256'], ['ECC_NIST_P384', 'ECDSA_SHA_384', 'sha384'],
      ['ECC_NIST_P521', 'ECDSA_SHA_512', 'sha512'], ['ECC_SECG_P256K1', 'ECDSA_SHA_256', 'sha256'],
    ] as Array<[KeySpec, SigningAlgorithmSpec, string]>)('%s: the signature of H(m) verifies over m with Node; KMS verifies it as DIGEST and RAW, and refuses another key\'s', async (spec, algorithm, hash) => {
      // GIVEN a signing key and a message's digest
      const key = await create(spec, 'SIGN_VERIFY');
      const message = bytes(`artifact for ${spec}`);
      const digest = createHash(hash).update(message).digest();
      // WHEN KMS signs the digest
      const signature = await signDigest(key.KeyId!, digest, algorithm);
      // THEN OpenSSL (Node), hashing the message itself, accepts it
      const publicKey = createPublicKey({ key: await publicKeyOf(key.KeyId!), format: 'der', type: 'spki' });
      expect(nodeVerify(hash, message, { key: publicKey, dsaEncoding: 'der' }, signature)).toBe(true);
      // AND KMS verifies its own signature as DIGEST and as RAW over the message
      await t.kms.send(new VerifyCommand({ KeyId: key.KeyId, Message: digest, MessageType: 'DIGEST', Signature: signature, SigningAlgorithm: algorithm }));
      await t.kms.send(new VerifyCommand({ KeyId: key.KeyId, Message: message, Signature: signature, SigningAlgorithm: algorithm }));
      // AND a digest of another message does not verify
      const other = createHash(hash).update('other').digest();
      const wrong = await errorOf(t.kms.send(new VerifyCommand({ KeyId: key.KeyId, Message: other, MessageType: 'DIGEST', Signature: signature, SigningAlgorithm: algorithm })));
      expect(wrong.name).toBe('KMSInvalidSignatureException');
      // AND a signature Node (OpenSSL) made over the message verifies in KMS given only the digest
      const privateKeyless = generateKeyPairSync('ec', { namedCurve: publicKey.asymmetricKeyDetails!.namedCurve! });
      const strangers = nodeSign(hash, message, { key: privateKeyless.privateKey, dsaEncoding: 'der' });
      const notOurs = await errorOf(t.kms.send(new VerifyCommand({ KeyId: key.KeyId, Message: digest, MessageType: 'DIGEST', Signature: strangers, SigningAlgorithm: algorithm })));
      expect(notOurs.name).toBe('KMSInvalidSignatureException');
    });

    test('a digest of the wrong length is KMS\'s ValidationException', async () => {
      const key = await create('ECC_NIST_P384', 'SIGN_VERIFY');
      const err = await errorOf(t.kms.send(new SignCommand({ KeyId: key.KeyId, Message: Buffer.alloc(32), MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_384' })));
      expect([err.name, err.message]).toEqual(['ValidationException', 'Digest is invalid length for algorithm ECDSA_SHA_384.']);
    });

    test('noble verifies the emulator\'s DIGEST signatures on every NIST curve, over several digests', async () => {
      const curves = { ECC_NIST_P256: p256, ECC_NIST_P384: p384, ECC_NIST_P521: p521 } as const;
      for (const [spec, curve] of Object.entries(curves)) {
        const key = await create(spec as KeySpec, 'SIGN_VERIFY');
        const algorithm = (await t.kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!.SigningAlgorithms![0];
        const hash = `sha${algorithm.slice(-3)}`;
        const publicKey = createPublicKey({ key: await publicKeyOf(key.KeyId!), format: 'der', type: 'spki' });
        for (let i = 0; i < 4; i++) {
          const digest = createHash(hash).update(`m${i}`).digest();
          const signature = await signDigest(key.KeyId!, digest, algorithm);
          // noble verifies the KMS signature over the digest as a third party would
          const jwk = publicKey.export({ format: 'jwk' });
          const point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);
          expect(curve.verify(signature, digest, point, { prehash: false, lowS: false, format: 'der' })).toBe(true);
        }
      }
    });
  });

  describe('secp256k1 as Ethereum-style signers use it', () => {
    test('Sign DIGEST of keccak-256: OpenSSL verifies it; after low-S normalization, recovery yields the key\'s Ethereum address', async () => {
      // GIVEN a secp256k1 key and the address an Ethereum signer derives from its public key
      const key = await create('ECC_SECG_P256K1', 'SIGN_VERIFY');
      const spki = await publicKeyOf(key.KeyId!);
      const jwk = createPublicKey({ key: spki, format: 'der', type: 'spki' }).export({ format: 'jwk' });
      const uncompressed = Buffer.concat([Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);
      const address = Buffer.from(keccak_256(uncompressed)).subarray(12).toString('hex');
      for (let i = 0; i < 6; i++) {
        // WHEN KMS signs the keccak-256 hash of a transaction-like payload as a DIGEST with ECDSA_SHA_256
        const digest = keccak_256(bytes(`transfer ${i} wei`));
        const der = await signDigest(key.KeyId!, digest, 'ECDSA_SHA_256');
        // THEN OpenSSL's command line accepts the DER signature over that digest
        if (!OPENSSL.missing) expect(opensslVerifiesDigest(spki, digest, der)).toBe(true);
        // AND the signer's steps work: low-S, then the recovery id whose public key is the key's own address
        const signature = secp256k1.Signature.fromDER(der).normalizeS();
        const recovered = [0, 1].map(v => signature.addRecoveryBit(v).recoverPublicKey(digest).toRawBytes(false).subarray(1))
          .map(point => Buffer.from(keccak_256(point)).subarray(12).toString('hex'));
        expect(recovered).toContain(address);
      }
    });
  });

  describe('RSASSA-PSS and PKCS#1 over a digest', () => {
    test.each([
      ['RSASSA_PSS_SHA_256', 'sha256'], ['RSASSA_PSS_SHA_384', 'sha384'], ['RSASSA_PSS_SHA_512', 'sha512'],
    ] as Array<[SigningAlgorithmSpec, string]>)('%s: the signature of H(m) verifies over m with Node (salt = hash length), and KMS verifies it as RAW and as DIGEST', async (algorithm, hash) => {
      const key = await create('RSA_2048', 'SIGN_VERIFY');
      const message = bytes('container image manifest');
      const digest = createHash(hash).update(message).digest();
      const signature = await signDigest(key.KeyId!, digest, algorithm);
      const publicKey = createPublicKey({ key: await publicKeyOf(key.KeyId!), format: 'der', type: 'spki' });
      const saltLength = createHash(hash).digest().length;
      expect(nodeVerify(hash, message, { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }, signature)).toBe(true);
      await t.kms.send(new VerifyCommand({ KeyId: key.KeyId, Message: message, Signature: signature, SigningAlgorithm: algorithm }));
      const viaDigest = await t.kms.send(new VerifyCommand({ KeyId: key.KeyId, Message: digest, MessageType: 'DIGEST', Signature: signature, SigningAlgorithm: algorithm }));
      expect(viaDigest.SignatureValid).toBe(true);
      // AND a signature KMS made over the RAW message (OpenSSL's PSS) verifies given only its digest
      const overRaw = (await t.kms.send(new SignCommand({ KeyId: key.KeyId, Message: message, SigningAlgorithm: algorithm }))).Signature!;
      await t.kms.send(new VerifyCommand({ KeyId: key.KeyId, Message: digest, MessageType: 'DIGEST', Signature: overRaw, SigningAlgorithm: algorithm }));
    });

    test('PSS Verify over a digest refuses every changed input: a bit of the signature or digest, another key, a truncated signature', async () => {
      // GIVEN an RSA key and its PSS signature over H(m) (another salt length and node:crypto's own signatures over
      // RAW are checked with an imported key, whose private half the test holds: imported-key-kinds.test.ts)
      const key = await create('RSA_2048', 'SIGN_VERIFY');
      const message = bytes('release 1.2.3');
      const digest = createHash('sha256').update(message).digest();
      const good = await signDigest(key.KeyId!, digest, 'RSASSA_PSS_SHA_256');
      const verifyDigest = (Message: Uint8Array, Signature: Uint8Array) => t.kms.send(new VerifyCommand({
        KeyId: key.KeyId, Message, MessageType: 'DIGEST', Signature, SigningAlgorithm: 'RSASSA_PSS_SHA_256',
      })).then(r => r.SignatureValid, (err: Error) => err.name);
      expect(await verifyDigest(digest, good)).toBe(true);
      // WHEN one bit (any of several positions) of the signature or the digest flips THEN KMSInvalidSignatureException
      for (const bit of [0, 7, 1000, 2047]) expect(await verifyDigest(digest, flipBit(good, bit))).toBe('KMSInvalidSignatureException');
      for (const bit of [0, 255]) expect(await verifyDigest(flipBit(digest, bit), good)).toBe('KMSInvalidSignatureException');
      // AND a signature with KMS's layout but of another key, or truncated, does not verify either
      const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
      const strangers = nodeSign('sha256', message, { key: stranger, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
      expect(await verifyDigest(digest, strangers)).toBe('KMSInvalidSignatureException');
      expect(await verifyDigest(digest, good.subarray(1))).toBe('KMSInvalidSignatureException');
      // AND a RAW verify of the digest (hashing it again) fails: the message type matters
      const raw = await t.kms.send(new VerifyCommand({ KeyId: key.KeyId, Message: digest, Signature: good, SigningAlgorithm: 'RSASSA_PSS_SHA_256' }))
        .then(() => 'valid', (err: Error) => err.name);
      expect(raw).toBe('KMSInvalidSignatureException');
    });

    test('PKCS#1 v1.5 over a digest verifies with the openssl CLI', async () => {
      const key = await create('RSA_3072', 'SIGN_VERIFY');
      const digest = createHash('sha384').update('payload').digest();
      const signature = await signDigest(key.KeyId!, digest, 'RSASSA_PKCS1_V1_5_SHA_384');
      if (OPENSSL.missing) return;
      expect(opensslVerifiesDigest(await publicKeyOf(key.KeyId!), digest, signature, ['-pkeyopt', 'digest:sha384'])).toBe(true);
    });
  });

  describe('ECC_NIST_EDWARDS25519', () => {
    test('DescribeKey and GetPublicKey list both Ed25519 algorithms; the key is an Ed25519 SubjectPublicKeyInfo', async () => {
      const key = await create('ECC_NIST_EDWARDS25519', 'SIGN_VERIFY');
      expect(key.SigningAlgorithms).toEqual(['ED25519_SHA_512', 'ED25519_PH_SHA_512']);
      expect(createPublicKey({ key: await publicKeyOf(key.KeyId!), format: 'der', type: 'spki' }).asymmetricKeyType).toBe('ed25519');
    });

    test('ED25519_SHA_512 (RAW): noble verifies it; a tampered one fails in KMS; DIGEST is refused', async () => {
      const key = await create('ECC_NIST_EDWARDS25519', 'SIGN_VERIFY');
      const message = bytes('sign me, pure EdDSA');
      const { Signature } = await t.kms.send(new SignCommand({ KeyId: key.KeyId, Message: message, SigningAlgorithm: 'ED25519_SHA_512' }));
      const raw = createPublicKey({ key: await publicKeyOf(key.KeyId!), format: 'der', type: 'spki' }).export({ format: 'jwk' }).x!;
      expect(ed25519.verify(Signature!, message, Buffer.from(raw, 'base64url'))).toBe(true);
      const tampered = Buffer.from(Signature!);
      tampered[10] = tampered[10] === 0 ? 1 : 0;
      expect((await errorOf(t.kms.send(new VerifyCommand({ KeyId: key.KeyId, Message: message, Signature: tampered, SigningAlgorithm: 'ED25519_SHA_512' })))).name)
        .toBe('KMSInvalidSignatureException');
      const digest = await errorOf(t.kms.send(new SignCommand({ KeyId: key.KeyId, Message: Buffer.alloc(64), MessageType: 'DIGEST', SigningAlgorithm: 'ED25519_SHA_512' })));
      expect(digest.name).toBe('ValidationException');
    });

    test('ED25519_PH_SHA_512 (DIGEST, hashed again as KMS does): Go\'s Ed25519ph verifies it over the digest', async () => {
      const key = await create('ECC_NIST_EDWARDS25519', 'SIGN_VERIFY');
      const digest = createHash('sha512').update('a large artifact').digest();
      const signature = await signDigest(key.KeyId!, digest, 'ED25519_PH_SHA_512');
      await t.kms.send(new VerifyCommand({ KeyId: key.KeyId, Message: digest, MessageType: 'DIGEST', Signature: signature, SigningAlgorithm: 'ED25519_PH_SHA_512' }));
      const raw = await errorOf(t.kms.send(new SignCommand({ KeyId: key.KeyId, Message: digest, SigningAlgorithm: 'ED25519_PH_SHA_512' })));
      expect(raw.name).toBe('ValidationException');
      if (GO.missing) return console.warn(`Ed25519ph not checked independently: ${GO.missing}`);
      const spki = await publicKeyOf(key.KeyId!);
      expect(goVerifiesEd25519ph(spki, digest, signature)).toBe(true);
      expect(goVerifiesEd25519ph(spki, createHash('sha512').update('other').digest(), signature)).toBe(false);
    });
  });

  describe('ML-DSA', () => {
    /** FIPS 204 §6.2 external μ, pure ML-DSA with an empty context: SHAKE256(SHAKE256(pk, 64) || 0 || 0 || M, 64). */
    function externalMu(spki: Buffer, message: Uint8Array): Uint8Array {
      const rawPublicKey = spki.subarray(spki.length - ({ 1334: 1312, 1974: 1952, 2614: 2592 } as Record<number, number>)[spki.length]);
      const tr = shake256(rawPublicKey, { dkLen: 64 });
      return shake256.create({ dkLen: 64 }).update(tr).update(new Uint8Array([0, 0])).update(message).digest();
    }

    test.each(['ML_DSA_44', 'ML_DSA_65', 'ML_DSA_87'] as KeySpec[])('%s: RAW and EXTERNAL_MU signatures verify over the message with pyca/cryptography', async (spec) => {
      // GIVEN an ML-DSA key
      const key = await create(spec, 'SIGN_VERIFY');
      expect(key.SigningAlgorithms).toEqual(['ML_DSA_SHAKE_256']);
      const spki = await publicKeyOf(key.KeyId!);
      const message = bytes(`post-quantum release ${spec}`);
      // WHEN KMS signs the message, and signs μ computed outside KMS
      const raw = Buffer.from((await t.kms.send(new SignCommand({ KeyId: key.KeyId, Message: message, SigningAlgorithm: 'ML_DSA_SHAKE_256' }))).Signature!);
      const mu = externalMu(spki, message);
      const viaMu = Buffer.from((await t.kms.send(new SignCommand({ KeyId: key.KeyId, Message: mu, MessageType: 'EXTERNAL_MU', SigningAlgorithm: 'ML_DSA_SHAKE_256' }))).Signature!);
      // THEN KMS verifies each both ways (a μ signature is a signature over the message)
      await t.kms.send(new VerifyCommand({ KeyId: key.KeyId, Message: message, Signature: viaMu, SigningAlgorithm: 'ML_DSA_SHAKE_256' }));
      await t.kms.send(new VerifyCommand({ KeyId: key.KeyId, Message: mu, MessageType: 'EXTERNAL_MU', Signature: raw, SigningAlgorithm: 'ML_DSA_SHAKE_256' }));
      const wrong = await errorOf(t.kms.send(new VerifyCommand({ KeyId: key.KeyId, Message: bytes('other'), Signature: raw, SigningAlgorithm: 'ML_DSA_SHAKE_256' })));
      expect(wrong.name).toBe('KMSInvalidSignatureException');
      // AND OpenSSL's ML-DSA (through pyca/cryptography) verifies both over the message
      if (PYTHON.missing) return console.warn(`ML-DSA not checked independently: ${PYTHON.missing}`);
      expect(pythonVerifiesMlDsa(spki, message, raw)).toBe(true);
      expect(pythonVerifiesMlDsa(spki, message, viaMu)).toBe(true);
      expect(pythonVerifiesMlDsa(spki, bytes('other'), viaMu)).toBe(false);
    });

    test('EXTERNAL_MU must be 64 bytes, and only ML-DSA takes it; DIGEST is not an ML-DSA message type', async () => {
      const key = await create('ML_DSA_44', 'SIGN_VERIFY');
      const short = await errorOf(t.kms.send(new SignCommand({ KeyId: key.KeyId, Message: Buffer.alloc(32), MessageType: 'EXTERNAL_MU', SigningAlgorithm: 'ML_DSA_SHAKE_256' })));
      expect([short.name, short.message]).toEqual(['ValidationException', 'Digest is invalid length for algorithm ML_DSA_SHAKE_256.']);
      const digest = await errorOf(t.kms.send(new SignCommand({ KeyId: key.KeyId, Message: Buffer.alloc(64), MessageType: 'DIGEST', SigningAlgorithm: 'ML_DSA_SHAKE_256' })));
      expect(digest.name).toBe('ValidationException');
      const ecc = await create('ECC_NIST_P256', 'SIGN_VERIFY');
      const mu = await errorOf(t.kms.send(new SignCommand({ KeyId: ecc.KeyId, Message: Buffer.alloc(64), MessageType: 'EXTERNAL_MU', SigningAlgorithm: 'ECDSA_SHA_256' })));
      expect(mu.name).toBe('ValidationException');
      expect((await errorOf(t.kms.send(new CreateKeyCommand({ KeySpec: 'ML_DSA_65', KeyUsage: 'ENCRYPT_DECRYPT' })))).name).toBe('ValidationException');
    });
  });

  describe('KEY_AGREEMENT keys and DeriveSharedSecret', () => {
    const curves = { ECC_NIST_P256: ['prime256v1', p256], ECC_NIST_P384: ['secp384r1', p384], ECC_NIST_P521: ['secp521r1', p521] } as const;

    test.each(Object.keys(curves) as Array<keyof typeof curves>)('%s: the shared secret equals what the peer computes with Node and with noble', async (spec) => {
      // GIVEN a key-agreement key and a peer's key pair outside KMS
      const key = await create(spec, 'KEY_AGREEMENT');
      expect(key.KeyAgreementAlgorithms).toEqual(['ECDH']);
      expect(key.SigningAlgorithms).toBeUndefined();
      const [namedCurve, curve] = curves[spec];
      const peer = generateKeyPairSync('ec', { namedCurve });
      // WHEN KMS derives the secret from the peer's public key
      const derived = await t.kms.send(new DeriveSharedSecretCommand({
        KeyId: key.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: peer.publicKey.export({ type: 'spki', format: 'der' }),
      }));
      expect(derived).toEqual(expect.objectContaining({ KeyAgreementAlgorithm: 'ECDH', KeyOrigin: 'AWS_KMS', KeyId: key.Arn }));
      // THEN the peer, holding only KMS's public key, computes the same secret with OpenSSL and with noble
      const { PublicKey, KeyAgreementAlgorithms } = await t.kms.send(new GetPublicKeyCommand({ KeyId: key.KeyId }));
      expect(KeyAgreementAlgorithms).toEqual(['ECDH']);
      const kmsPublic = createPublicKey({ key: Buffer.from(PublicKey!), format: 'der', type: 'spki' });
      const secret = Buffer.from(derived.SharedSecret!);
      expect(secret.equals(diffieHellman({ privateKey: peer.privateKey, publicKey: kmsPublic }))).toBe(true);
      const jwk = kmsPublic.export({ format: 'jwk' });
      const point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);
      const peerScalar = Buffer.from(peer.privateKey.export({ format: 'jwk' }).d!, 'base64url');
      expect(Buffer.from(curve.getSharedSecret(peerScalar, point, true)).subarray(1).equals(secret)).toBe(true);
    });

    test('a peer key on another curve, a non-key, or a signing key is refused; the key cannot sign; only NIST curves agree keys', async () => {
      const key = await create('ECC_NIST_P256', 'KEY_AGREEMENT');
      const otherCurve = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).publicKey.export({ type: 'spki', format: 'der' });
      const wrongCurve = await errorOf(t.kms.send(new DeriveSharedSecretCommand({ KeyId: key.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: otherCurve })));
      expect(wrongCurve.name).toBe('ValidationException');
      const garbage = await errorOf(t.kms.send(new DeriveSharedSecretCommand({ KeyId: key.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: bytes('not a key') })));
      expect(garbage.name).toBe('ValidationException');
      const signing = await create('ECC_NIST_P256', 'SIGN_VERIFY');
      const p256Peer = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ type: 'spki', format: 'der' });
      const usage = await errorOf(t.kms.send(new DeriveSharedSecretCommand({ KeyId: signing.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: p256Peer })));
      expect(usage.name).toBe('InvalidKeyUsageException');
      const sign = await errorOf(t.kms.send(new SignCommand({ KeyId: key.KeyId, Message: bytes('x'), SigningAlgorithm: 'ECDSA_SHA_256' })));
      expect(sign.name).toBe('InvalidKeyUsageException');
      for (const spec of ['ECC_SECG_P256K1', 'ECC_NIST_EDWARDS25519', 'RSA_2048'] as KeySpec[]) {
        expect((await errorOf(t.kms.send(new CreateKeyCommand({ KeySpec: spec, KeyUsage: 'KEY_AGREEMENT' })))).name).toBe('ValidationException');
      }
    });

    test('grants on a key-agreement key allow DeriveSharedSecret and GetPublicKey, not Sign', async () => {
      const key = await create('ECC_NIST_P384', 'KEY_AGREEMENT');
      const grantee = 'arn:aws:iam::000000000000:role/Peer';
      await t.kms.send(new CreateGrantCommand({ KeyId: key.KeyId, GranteePrincipal: grantee, Operations: ['DeriveSharedSecret', 'GetPublicKey'] }));
      const sign = await errorOf(t.kms.send(new CreateGrantCommand({ KeyId: key.KeyId, GranteePrincipal: grantee, Operations: ['Sign'] })));
      expect(sign.name).toBe('ValidationException');
    });
  });

  describe('ReEncrypt to and from RSA keys', () => {
    test('symmetric -> RSA -> RSA -> symmetric keeps the plaintext; RSA ciphertext decrypts offline-compatible in KMS', async () => {
      // GIVEN a symmetric key, two RSA encryption keys and a ciphertext under the symmetric key
      const symmetric = (await t.kms.send(new CreateKeyCommand({}))).KeyMetadata!;
      const rsa1 = await create('RSA_2048', 'ENCRYPT_DECRYPT');
      const rsa2 = await create('RSA_3072', 'ENCRYPT_DECRYPT');
      const { CiphertextBlob } = await t.kms.send(new EncryptCommand({ KeyId: symmetric.KeyId, Plaintext: bytes('payroll'), EncryptionContext: { dept: 'hr' } }));
      // WHEN it is re-encrypted to RSA, from RSA to RSA, and back to symmetric
      const toRsa = await t.kms.send(new ReEncryptCommand({
        CiphertextBlob, SourceEncryptionContext: { dept: 'hr' }, DestinationKeyId: rsa1.KeyId, DestinationEncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
      }));
      expect(toRsa).toEqual(expect.objectContaining({ SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT', DestinationEncryptionAlgorithm: 'RSAES_OAEP_SHA_256', KeyId: rsa1.Arn }));
      expect(toRsa.DestinationKeyMaterialId).toBeUndefined();
      const rsaToRsa = await t.kms.send(new ReEncryptCommand({
        CiphertextBlob: toRsa.CiphertextBlob,
        SourceKeyId: rsa1.KeyId,
        SourceEncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
        DestinationKeyId: rsa2.KeyId,
        DestinationEncryptionAlgorithm: 'RSAES_OAEP_SHA_1',
      }));
      const back = await t.kms.send(new ReEncryptCommand({
        CiphertextBlob: rsaToRsa.CiphertextBlob,
        SourceKeyId: rsa2.KeyId,
        SourceEncryptionAlgorithm: 'RSAES_OAEP_SHA_1',
        DestinationKeyId: symmetric.KeyId,
        DestinationEncryptionContext: { dept: 'finance' },
      }));
      // THEN each ciphertext decrypts to the plaintext
      const rsaPlain = await t.kms.send(new DecryptCommand({ KeyId: rsa2.KeyId, CiphertextBlob: rsaToRsa.CiphertextBlob, EncryptionAlgorithm: 'RSAES_OAEP_SHA_1' }));
      expect(Buffer.from(rsaPlain.Plaintext!).toString()).toBe('payroll');
      const plain = await t.kms.send(new DecryptCommand({ CiphertextBlob: back.CiphertextBlob, EncryptionContext: { dept: 'finance' } }));
      expect(Buffer.from(plain.Plaintext!).toString()).toBe('payroll');
      expect(back.DestinationKeyMaterialId).toMatch(/^[0-9a-f]{64}$/);
    });

    test('RSA source needs SourceKeyId, no context; algorithm and key must match', async () => {
      const symmetric = (await t.kms.send(new CreateKeyCommand({}))).KeyMetadata!;
      const rsa = await create('RSA_2048', 'ENCRYPT_DECRYPT');
      const { CiphertextBlob } = await t.kms.send(new EncryptCommand({ KeyId: rsa.KeyId, Plaintext: bytes('x'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }));
      const noKey = await errorOf(t.kms.send(new ReEncryptCommand({ CiphertextBlob, SourceEncryptionAlgorithm: 'RSAES_OAEP_SHA_256', DestinationKeyId: symmetric.KeyId })));
      expect(noKey.name).toBe('ValidationException');
      const context = await errorOf(t.kms.send(new ReEncryptCommand({
        CiphertextBlob, SourceKeyId: rsa.KeyId, SourceEncryptionAlgorithm: 'RSAES_OAEP_SHA_256', SourceEncryptionContext: { a: 'b' }, DestinationKeyId: symmetric.KeyId,
      })));
      expect(context.name).toBe('ValidationException');
      const symmetricToRsaWithoutAlgorithm = await errorOf(t.kms.send(new ReEncryptCommand({ CiphertextBlob, SourceKeyId: rsa.KeyId, SourceEncryptionAlgorithm: 'RSAES_OAEP_SHA_256', DestinationKeyId: rsa.KeyId })));
      expect(symmetricToRsaWithoutAlgorithm.name).toBe('InvalidKeyUsageException');
      const wrongHash = await errorOf(t.kms.send(new ReEncryptCommand({ CiphertextBlob, SourceKeyId: rsa.KeyId, SourceEncryptionAlgorithm: 'RSAES_OAEP_SHA_1', DestinationKeyId: symmetric.KeyId })));
      expect(wrongHash.name).toBe('InvalidCiphertextException');
    });
  });

  test('an Ed25519 signature by another key does not verify in KMS (Verify is not always true)', async () => {
    const key = await create('ECC_NIST_EDWARDS25519', 'SIGN_VERIFY');
    const stranger = generateKeyPairSync('ed25519');
    const signature = nodeSign(null, bytes('m'), stranger.privateKey);
    const err = await errorOf(t.kms.send(new VerifyCommand({ KeyId: key.KeyId, Message: bytes('m'), Signature: signature, SigningAlgorithm: 'ED25519_SHA_512' })));
    expect(err.name).toBe('KMSInvalidSignatureException');
  });

  test('garbage signatures of any length are KMSInvalidSignatureException for every new kind and message type, never a fault', async () => {
    const cases: Array<[KeySpec, SigningAlgorithmSpec, 'RAW' | 'DIGEST' | 'EXTERNAL_MU', number]> = [
      ['ECC_SECG_P256K1', 'ECDSA_SHA_256', 'DIGEST', 32], ['ECC_NIST_P521', 'ECDSA_SHA_512', 'DIGEST', 64],
      ['ECC_NIST_EDWARDS25519', 'ED25519_SHA_512', 'RAW', 10], ['ECC_NIST_EDWARDS25519', 'ED25519_PH_SHA_512', 'DIGEST', 64],
      ['ML_DSA_44', 'ML_DSA_SHAKE_256', 'RAW', 10], ['ML_DSA_44', 'ML_DSA_SHAKE_256', 'EXTERNAL_MU', 64],
    ];
    for (const [spec, algorithm, messageType, messageBytes] of cases) {
      const key = await create(spec, 'SIGN_VERIFY');
      for (const length of [1, 63, 64, 72, 2420, 6144]) {
        const err = await errorOf(t.kms.send(new VerifyCommand({
          KeyId: key.KeyId, Message: randomBytes(messageBytes), MessageType: messageType, Signature: randomBytes(length), SigningAlgorithm: algorithm,
        })));
        expect([spec, algorithm, length, err.name]).toEqual([spec, algorithm, length, 'KMSInvalidSignatureException']);
      }
    }
  });
});

/** A copy of `data` with one bit flipped (bit 0 is the lowest bit of the first byte). */
function flipBit(data: Uint8Array, bit: number): Buffer {
  const copy = Buffer.from(data);
  const byte = Math.floor(bit / 8);
  copy[byte] = copy[byte] ^ (2 ** (bit % 8)); // eslint-disable-line no-bitwise
  return copy;
}
