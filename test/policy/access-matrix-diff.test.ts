import { keyAccessMatrices } from '../../src/policy/access-matrix';
import { diffAccess } from '../../src/policy/access-matrix-diff';
import { renderAccessChanges, renderMatrices } from '../../src/policy/access-matrix-render';

const ROOT = { Sid: 'Root', Effect: 'Allow', Principal: { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' } }, Action: 'kms:*', Resource: '*' };

/** A hand-written template (no CDK): a key, an app role, and optionally an IAM policy giving the role decrypt. */
function template(options: { iamDecrypt?: boolean; openToPartner?: boolean } = {}) {
  return {
    Conditions: { Partner: { 'Fn::Equals': [options.openToPartner ? 'yes' : 'no', 'yes'] } },
    Resources: {
      Key: {
        Type: 'AWS::KMS::Key',
        Properties: {
          KeyPolicy: {
            Statement: [ROOT, {
              'Fn::If': ['Partner', {
                Sid: 'Partner',
                Effect: 'Allow',
                Principal: { AWS: 'arn:aws:iam::444455556666:root' },
                Action: 'kms:Decrypt',
                Resource: '*',
                Condition: { StringEquals: { 'kms:ViaService': { 'Fn::Sub': 's3.${AWS::Region}.amazonaws.com' } } },
              }, { Ref: 'AWS::NoValue' }],
            }],
          },
        },
      },
      AppRole: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: {} } },
      ...(options.iamDecrypt ? {
        AppPolicy: {
          Type: 'AWS::IAM::Policy',
          Properties: {
            PolicyName: 'app',
            Roles: [{ Ref: 'AppRole' }],
            PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: { 'Fn::GetAtt': ['Key', 'Arn'] } }] },
          },
        },
      } : {}),
    },
  };
}

describe('the matrix of keys written without CDK', () => {
  test('Fn::Sub, Fn::If with the Conditions, and the stack region are evaluated', () => {
    const [matrix] = keyAccessMatrices(template({ openToPartner: true }), 'Hand', { region: 'eu-west-1' });
    expect(matrix.rows.map(r => [r.principal, r.capabilities, r.conditions])).toEqual([
      ['this account (root + its IAM policies)', ['administer', 'encrypt', 'decrypt', 'grant', 'describe'], []],
      ['account 444455556666 (root + its IAM policies)', ['decrypt'], ['via s3.eu-west-1.amazonaws.com']],
    ]);
    // the false branch removes the statement
    expect(keyAccessMatrices(template(), 'Hand')[0].rows).toHaveLength(1);
  });

  test('IAM policies that name the key by Fn::GetAtt are rows of its matrix', () => {
    const [matrix] = keyAccessMatrices(template({ iamDecrypt: true }), 'Hand');
    expect(matrix.rows[1]).toMatchObject({ principal: 'AppRole', capabilities: ['decrypt'], source: 'IAM policy AppPolicy' });
  });
});

describe('--diff: what a change does to access', () => {
  test('only the cells a change adds or removes', () => {
    const before = keyAccessMatrices(template({ openToPartner: true }), 'Hand', { region: 'eu-west-1' });
    const after = keyAccessMatrices(template({ iamDecrypt: true }), 'Hand', { region: 'eu-west-1' });
    expect(diffAccess(before, after).map(c => [c.change, c.key, c.principal, c.capability])).toEqual([
      ['removed', 'Hand/Key', 'account 444455556666 (root + its IAM policies)', 'decrypt'],
      ['added', 'Hand/Key', 'AppRole', 'decrypt'],
    ]);
    expect(diffAccess(before, before)).toEqual([]);
  });

  test('renders as Markdown for a pull-request comment, and as a table', () => {
    const changes = diffAccess(keyAccessMatrices(template(), 'Hand'), keyAccessMatrices(template({ iamDecrypt: true }), 'Hand'));
    expect(renderAccessChanges(changes, 'markdown').split('\n')).toEqual([
      '| change | key | principal | effect | capability | conditions | source |',
      '| --- | --- | --- | --- | --- | --- | --- |',
      '| added | Hand/Key | AppRole | allow | decrypt | - | IAM policy AppPolicy |',
    ]);
    expect(renderAccessChanges([], 'table')).toBe('No change of access.');
    expect(renderAccessChanges(changes, 'table').split('\n')[1]).toMatch(/^\+\s+Hand\/Key\s+AppRole\s+allow\s+decrypt\s+-\s+IAM policy AppPolicy$/);
  });

  test('the matrix itself renders as Markdown with a header per key', () => {
    const text = renderMatrices(keyAccessMatrices(template({ iamDecrypt: true }), 'Hand'), 'markdown');
    expect(text.split('\n').slice(0, 4)).toEqual([
      '### Hand/Key — SYMMETRIC_DEFAULT ENCRYPT_DECRYPT',
      '',
      '| principal | effect | administer | encrypt | decrypt | grant | describe | conditions | source |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ]);
    expect(JSON.parse(renderMatrices(keyAccessMatrices(template(), 'Hand'), 'json'))[0].logicalId).toBe('Key');
  });
});
