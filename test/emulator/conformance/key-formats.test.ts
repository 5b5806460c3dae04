import { createPrivateKey, generateKeyPairSync, RSAPSSKeyPairKeyObjectOptions } from 'crypto';
import { PYTHON, pythonPublicKeyOf } from './independent';
import { generateMlDsaPem, mlDsaPublicKeyDer } from '../../../src/emulator/crypto/ml-dsa';
import { pssAlgorithmIdentifier } from '../../../src/emulator/crypto/rsa-pss-digest';

/** The key containers the emulator writes by hand are the ones OpenSSL writes and reads. */
describe('key formats written by the emulator', () => {
  test.each(['sha256', 'sha384', 'sha512'])('the RSASSA-PSS AlgorithmIdentifier for %s is the one OpenSSL writes', (hash) => {
    // GIVEN an RSASSA-PSS key OpenSSL generated with the hash, MGF1 with the same hash, salt = hash length
    const saltLength = Number(hash.slice(3)) / 8;
    // @types/node types saltLength as a string; Node takes (and checks for) a number
    const options = { modulusLength: 1024, hashAlgorithm: hash, mgf1HashAlgorithm: hash, saltLength } as unknown as RSAPSSKeyPairKeyObjectOptions;
    const { privateKey } = generateKeyPairSync('rsa-pss', options);
    const der = privateKey.export({ type: 'pkcs8', format: 'der' });
    // THEN its PKCS#8 carries exactly the emulator's bytes after the version (4-byte SEQUENCE header, 3-byte INTEGER)
    const identifier = pssAlgorithmIdentifier(hash);
    expect(der.subarray(7, 7 + identifier.length).toString('hex')).toBe(identifier.toString('hex'));
    expect(createPrivateKey(privateKey.export({ type: 'pkcs8', format: 'pem' })).asymmetricKeyDetails).toEqual(expect.objectContaining({ hashAlgorithm: hash, saltLength }));
  });

  test.each(['ML_DSA_44', 'ML_DSA_65', 'ML_DSA_87'] as const)('%s: OpenSSL (pyca/cryptography) reads the seed-form PKCS#8 and derives the same public key', (spec) => {
    if (PYTHON.missing) return console.warn(`ML-DSA key format not checked independently: ${PYTHON.missing}`);
    const pem = generateMlDsaPem(spec);
    expect(pythonPublicKeyOf(pem).equals(mlDsaPublicKeyDer(pem))).toBe(true);
  });
});
