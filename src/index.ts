export * from './keys/common-props';
export * from './keys/guarded-key-base';
export * from './keys/guarded-key';
export * from './keys/signing-key';
export * from './keys/mac-key';
export * from './keys/rsa-encryption-key';
export * from './keys/replica-key';
export * from './guard/key-guard';
