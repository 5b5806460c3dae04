import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import * as fc from 'fast-check';
import { EmulatorConfig, loadConfig, startEmulator } from '../../src/emulator';

/** A configuration using every field the file format has. */
function validConfig(): Record<string, unknown> {
  return {
    admin: { accessKeyId: 'GKADMINTEST', secretAccessKey: 'an-admin-secret-long-enough' },
    principals: [
      { arn: 'arn:aws:iam::111122223333:root', accessKeyId: 'AKIAROOT', secretAccessKey: 'root-secret' },
      {
        arn: 'arn:aws:iam::111122223333:role/App',
        accessKeyId: 'AKIAAPP',
        secretAccessKey: 'app-secret',
        tags: { team: 'blue' },
        identityPolicies: [
          { Version: '2012-10-17', Statement: [{ Sid: 'Use', Effect: 'Allow', Action: ['kms:Decrypt'], Resource: '*', Condition: { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' }, Bool: { 'aws:SecureTransport': true } } }] },
          { name: 'named', document: { Statement: { Effect: 'Deny', NotAction: 'kms:Encrypt', NotResource: ['arn:aws:kms:*:*:key/x'] } } },
        ],
      },
    ],
  };
}

/** Every object of the configuration whose fields are fixed (maps such as tags and Condition take any key). */
function fixedObjects(config: Record<string, any>): Array<[string, Record<string, unknown>]> {
  const out: Array<[string, Record<string, unknown>]> = [['', config], ['admin', config.admin]];
  config.principals.forEach((p: any, i: number) => {
    out.push([`principals[${i}]`, p]);
    (p.identityPolicies ?? []).forEach((policy: any, j: number) => {
      const at = `principals[${i}].identityPolicies[${j}]`;
      const document = policy.document ?? policy;
      const documentAt = policy.document ? `${at}.document` : at;
      if (policy.document) out.push([at, policy]);
      out.push([documentAt, document]);
      const statements = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
      statements.forEach((s: any, k: number) => out.push([Array.isArray(document.Statement) ? `${documentAt}.Statement[${k}]` : `${documentAt}.Statement`, s]));
    });
  });
  return out;
}

describe('the emulator configuration', () => {
  test('a configuration with every field loads', () => {
    expect(loadConfig(validConfig() as EmulatorConfig)).toEqual(validConfig());
  });

  test('a principal written with `policies` instead of `identityPolicies` is refused, naming the field', () => {
    const config = validConfig();
    const app = (config.principals as any[])[1];
    app.policies = app.identityPolicies;
    delete app.identityPolicies;
    expect(() => loadConfig(config as EmulatorConfig)).toThrow(
      'invalid emulator configuration: principals[1].policies is not a known field (known: arn, accessKeyId, secretAccessKey, identityPolicies, tags)');
  });

  test('every problem is reported at once: a misspelt Condition, a Principal in an identity policy, a wrong type', () => {
    const config = validConfig();
    const statement = (config.principals as any[])[1].identityPolicies[0].Statement[0];
    statement.Condtion = statement.Condition;
    statement.Principal = '*';
    (config.principals as any[])[0].tags = 'blue';
    const message = (() => {
      try {
        loadConfig(config as EmulatorConfig);
      } catch (err) {
        return (err as Error).message;
      }
      return 'loaded';
    })();
    expect(message).toContain('principals[0].tags must be an object. Received: "blue"');
    expect(message).toContain('principals[1].identityPolicies[0].Statement[0].Condtion is not a known field');
    expect(message).toContain('principals[1].identityPolicies[0].Statement[0].Principal is not a known field');
  });

  test('a configuration file with an unknown field stops the emulator from starting, naming the file and the field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'guarded-keys-config-'));
    try {
      const file = join(dir, 'emulator.json');
      writeFileSync(file, JSON.stringify({ principal: [] }));
      await expect(startEmulator({ config: file })).rejects.toThrow(`invalid emulator configuration ${file}: principal is not a known field (known: principals, admin)`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('secrets are never quoted back in a message', () => {
    const config = validConfig();
    (config.principals as any[])[0].secretAccessKey = 'short7!';
    expect(() => loadConfig(config as EmulatorConfig)).toThrow(/principals\[0\]\.secretAccessKey must be a string of at least 8 characters$/);
  });

  test('property: an unknown field anywhere a field name is fixed is refused, naming its path', () => {
    const places = fixedObjects(validConfig()).length;
    fc.assert(fc.property(fc.integer({ min: 0, max: places - 1 }), fc.string({ minLength: 1, maxLength: 12 }), (place, name) => {
      const config = validConfig();
      const [path, target] = fixedObjects(config)[place];
      fc.pre(!Object.prototype.hasOwnProperty.call(target, name) && !['arn', 'accessKeyId', 'secretAccessKey', 'identityPolicies', 'tags',
        'principals', 'admin', 'name', 'document', 'Version', 'Id', 'Statement', 'Sid', 'Effect', 'Action', 'NotAction', 'Resource',
        'NotResource', 'Condition'].includes(name));
      Object.defineProperty(target, name, { value: 1, enumerable: true, configurable: true, writable: true });
      expect(() => loadConfig(config as EmulatorConfig)).toThrow(`${path ? `${path}.` : ''}${name} is not a known field`);
    }), { numRuns: 300 });
  });
});
