// The KMS command classes the handler and the envelope build, each from its own ES module of the SDK. The handler
// bundle aliases '@aws-sdk/client-kms' to this file (bundle-options.ts says why); a plain module, not TypeScript,
// because jsii would type-check these deep paths, which have no declarations of their own.
export { DecryptCommand } from '../../../node_modules/@aws-sdk/client-kms/dist-es/commands/DecryptCommand.js';
export { DescribeKeyCommand } from '../../../node_modules/@aws-sdk/client-kms/dist-es/commands/DescribeKeyCommand.js';
export { EncryptCommand } from '../../../node_modules/@aws-sdk/client-kms/dist-es/commands/EncryptCommand.js';
export { GenerateDataKeyCommand } from '../../../node_modules/@aws-sdk/client-kms/dist-es/commands/GenerateDataKeyCommand.js';
export { GenerateDataKeyWithoutPlaintextCommand } from '../../../node_modules/@aws-sdk/client-kms/dist-es/commands/GenerateDataKeyWithoutPlaintextCommand.js';
export { ReEncryptCommand } from '../../../node_modules/@aws-sdk/client-kms/dist-es/commands/ReEncryptCommand.js';
