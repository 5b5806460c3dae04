import { GuardRule, keyHit } from '../rule';

/** GK6: RSA keys that encrypt have at least 3072 bits. */
export const RSA_KEY_SIZE: GuardRule = {
  id: 'GK6',
  title: 'RSA keys used for encryption have at least 3072 bits',
  defaultSeverity: 'error',
  why: 'RSA_2048 gives about 112 bits of security; AWS Control Tower control CT.KMS.PR.2 requires at least 3072 bits for RSA encryption keys.',
  source: 'https://docs.aws.amazon.com/controltower/latest/controlreference/kms-rules.html',
  check: stack => stack.keys
    .filter(k => k.properties.KeySpec === 'RSA_2048' && (k.properties.KeyUsage ?? 'ENCRYPT_DECRYPT') === 'ENCRYPT_DECRYPT')
    .map(key => keyHit(key, 'an RSA_2048 key is used for encryption: use RSA_3072 or RSA_4096', `/Resources/${key.logicalId}/Properties/KeySpec`)),
};
