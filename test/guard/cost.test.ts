import { runGuard } from '../../src/guard/engine';
import { renderReportTable } from '../../src/guard/report-text';
import { GuardTemplate } from '../../src/guard/template-source';

const template = (resources: Record<string, unknown>): GuardTemplate => ({ stackName: 'S', file: 'S.json', template: { Resources: resources } as GuardTemplate['template'] });
const key = (properties: Record<string, unknown>) => ({ Type: 'AWS::KMS::Key', DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain', Properties: properties });

describe('monthly cost per key', () => {
  const report = runGuard([template({
    Rotating: key({ EnableKeyRotation: true, RotationPeriodInDays: 180 }),
    Signing: key({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }),
    Rsa2048: key({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' }),
    Replica: { Type: 'AWS::KMS::ReplicaKey', DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain', Properties: { PrimaryKeyArn: 'arn:aws:kms:us-east-1:1:key/mrk-1', KeyPolicy: {} } },
  })], undefined, { requestsPerMonth: 1_000_000 });
  const cost = (id: string) => report.costs.find(c => c.logicalId === id)!;

  test('a rotating key: $1 now, $1 more for each of the first two rotations, then capped', () => {
    expect(cost('Rotating')).toMatchObject({ keyNow: 1, keyAtCap: 3, capReachedAfterDays: 360, requestCost: 3, monthlyAtCap: 6 });
  });

  test('asymmetric requests cost more, except RSA_2048', () => {
    expect(cost('Signing')).toMatchObject({ keyNow: 1, keyAtCap: 1, capReachedAfterDays: undefined, requestCost: 15, monthlyAtCap: 16 });
    expect(cost('Rsa2048').requestCost).toBe(3);
  });

  test('a replica is a key of its own, rotating with its primary', () => {
    expect(cost('Replica')).toMatchObject({ replica: true, keyNow: 1, keyAtCap: 3, monthlyAtCap: 6 });
  });

  test('the table report lists each key and the total', () => {
    const text = renderReportTable(report);
    expect(text).toContain('Monthly cost (AWS list prices, 1000000 requests a month per key):');
    expect(text).toContain('  S/Rotating  key $1.00, $3.00 after 360 days of rotation; requests $3.00');
    expect(text).toContain('  total once rotation is at its cap: $32.00 a month for 4 key(s)');
  });

  test('a key spec or rotation period known only at deploy time is labelled, never priced as NaN', () => {
    const [unknown] = runGuard([template({ Key: key({ KeySpec: { 'Fn::ImportValue': 'Spec' }, EnableKeyRotation: true, RotationPeriodInDays: { 'Fn::ImportValue': 'Days' } }) })], undefined, { requestsPerMonth: 10_000 }).costs;
    expect(unknown).toMatchObject({ keySpec: '(unresolved)', rotationPeriodDays: 365, capReachedAfterDays: 730, requestCost: 0.03, monthlyAtCap: 3.03 });
  });
});
