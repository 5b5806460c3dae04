/**
 * The KMS commands the envelope builds, and nothing else of @aws-sdk/client-kms. kms.ts requires this module at the
 * first KMS call, not with the envelope (requiring the SDK costs about 40 ms and 15 MB that a process which only
 * parses, inspects or refuses its input never needs). Naming the commands here as ES exports lets a bundler keep
 * only them: a `require` of the package itself hands over its whole namespace, so the custom-resource handler's
 * bundle carried the full client and its default credential chain (121 modules the handler never runs).
 * @module
 */
export {
  DecryptCommand, DescribeKeyCommand, EncryptCommand, GenerateDataKeyCommand, GenerateDataKeyWithoutPlaintextCommand, ReEncryptCommand,
} from '@aws-sdk/client-kms';
