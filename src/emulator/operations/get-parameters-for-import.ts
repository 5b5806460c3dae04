import { randomBytes } from 'crypto';
import { assertWrappingFits } from '../byok/material-kinds';
import { ALGORITHM_SPEC_ENUM, assertImportable, WRAPPING_KEY_SPEC_ENUM } from '../byok/shared';
import { newWrappingKey } from '../byok/wrapping';
import { KmsError } from '../errors';
import { requiredEnum } from '../input';
import { epochSeconds } from '../metadata';
import { WrappingAlgorithmName, WrappingKeySpecName } from '../state';
import { Handler } from './handler';
import { keyFromInput } from './shared';

/** The import token and public key are valid for 24 hours, as in KMS. */
export const IMPORT_PARAMETERS_VALID_MS = 24 * 60 * 60 * 1000;

/**
 * A new RSA wrapping key and import token for an Origin EXTERNAL key (the last one handed out is the one
 * ImportKeyMaterial accepts).
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_GetParametersForImport.html
 */
export const getParametersForImport: Handler = (ctx, input) => {
  const key = keyFromInput(ctx, input);
  const algorithm = requiredEnum(input, 'WrappingAlgorithm', ALGORITHM_SPEC_ENUM);
  const spec = requiredEnum(input, 'WrappingKeySpec', WRAPPING_KEY_SPEC_ENUM);
  ctx.assertSameAccount(key);
  ctx.authorize('kms:GetParametersForImport', key, { conditions: { 'kms:WrappingAlgorithm': algorithm, 'kms:WrappingKeySpec': spec } });
  assertImportable(ctx, key);
  if (algorithm === 'RSAES_PKCS1_V1_5' || algorithm === 'SM2PKE' || spec === 'SM2') {
    throw new KmsError('UnsupportedOperationException', `The emulator does not support WrappingAlgorithm ${algorithm} with WrappingKeySpec ${spec}.`);
  }
  assertWrappingFits(key.keySpec, algorithm as WrappingAlgorithmName, spec as WrappingKeySpecName);
  const { publicKeyDer, privateKeyPem } = newWrappingKey(spec as WrappingKeySpecName);
  const token = randomBytes(64).toString('base64');
  const validTo = ctx.now() + IMPORT_PARAMETERS_VALID_MS;
  key.importParameters = {
    token, privateKey: privateKeyPem, wrappingAlgorithm: algorithm as WrappingAlgorithmName, wrappingKeySpec: spec as WrappingKeySpecName, validTo,
  };
  ctx.store.putKey(key);
  return { KeyId: key.arn, ImportToken: token, PublicKey: publicKeyDer.toString('base64'), ParametersValidTo: epochSeconds(validTo) };
};
