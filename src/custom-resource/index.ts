export * from './sealed-value';
export * from './generated-secret';
export * from './data-key';
