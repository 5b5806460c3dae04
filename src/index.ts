export * from './keys/guarded-key';
