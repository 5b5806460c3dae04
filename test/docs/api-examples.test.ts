import { existsSync, readFileSync } from 'fs';
import { dirname, join } from 'path';
import * as ts from 'typescript';

/**
 * Every class and every props interface that src/index.ts exports has an `@example` in its JSDoc (jsii carries it
 * into the .jsii manifest, and jsii-docgen shows it in API.md), and every example compiles as written, in a fixture
 * like jsii-rosetta's: inside the constructor of a Stack, with the names below declared.
 */
const ROOT = join(__dirname, '..', '..');
const FIXTURE_DIR = join(ROOT, 'test', 'docs');

/** What an example may use without declaring it: the stack is `this`; these are declared around it. */
const FIXTURE_HEAD = `
import { App, Aspects, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import * as fs from 'fs';
declare const app: App;
/** Any role or function of the app. */
declare const appRole: iam.IRole, operators: iam.IRole, ingestRole: iam.IRole, analyticsRole: iam.IRole, fn: lambda.Function;
/** A stack in another region of the same app (crossRegionReferences: true). */
declare const replicaStack: Stack;
`;

function compilerOptions(): ts.CompilerOptions {
  const parsed = ts.getParsedCommandLineOfConfigFile(join(ROOT, 'tsconfig.dev.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;
  return { ...parsed.options, noEmit: true, noUnusedLocals: false, isolatedModules: false };
}

interface Documented {
  readonly name: string;
  readonly kind: 'class' | 'props';
  readonly examples: string[];
}

/**
 * The exported declarations of the jsii entry point, found by following its `export *` lines (syntax only, so no
 * type checker is built for it): classes and `*Props` interfaces with their examples, and every exported name.
 */
function entryPointExports(): { documented: Documented[]; names: string[] } {
  const documented: Documented[] = [];
  const names: string[] = [];
  const visit = (file: string) => {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
    for (const statement of source.statements) {
      if (ts.isExportDeclaration(statement) && statement.moduleSpecifier && !statement.exportClause) {
        const target = join(dirname(file), (statement.moduleSpecifier as ts.StringLiteral).text);
        visit(existsSync(`${target}.ts`) ? `${target}.ts` : join(target, 'index.ts'));
        continue;
      }
      const exported = ts.canHaveModifiers(statement) && ts.getModifiers(statement)?.some(m => m.kind === ts.SyntaxKind.ExportKeyword);
      if (!exported) continue;
      if (ts.isVariableStatement(statement)) {
        names.push(...statement.declarationList.declarations.map(d => d.name.getText(source)));
        continue;
      }
      const named = statement as ts.DeclarationStatement;
      if (!named.name) continue;
      names.push(named.name.text);
      const kind = ts.isClassDeclaration(statement) ? 'class' : ts.isInterfaceDeclaration(statement) && named.name.text.endsWith('Props') ? 'props' : undefined;
      if (!kind) continue;
      const examples = ts.getJSDocTags(statement).filter(t => t.tagName.text === 'example').map(t => ts.getTextOfJSDocComment(t.comment) ?? '');
      documented.push({ name: named.name.text, kind, examples });
    }
  };
  visit(join(ROOT, 'src', 'index.ts'));
  return { documented, names };
}

describe('API examples', () => {
  const options = compilerOptions();
  const { documented, names } = entryPointExports();

  test('the entry point exports the constructs and their props', () => {
    expect(documented.map(d => d.name)).toEqual(expect.arrayContaining(['GuardedKey', 'GuardedKeyProps', 'SealedValue', 'DataKeyProps', 'KeyGuard']));
  });

  test.each(documented.map(d => [d.kind, d.name, d] as const))('%s %s has an @example', (_kind, _name, d) => {
    expect(d.examples.length).toBeGreaterThan(0);
    expect(d.examples.join('').trim()).not.toBe('');
  });

  test('every example compiles in the fixture', () => {
    const files = new Map<string, string>();
    const bodies = new Map<string, string>();
    for (const d of documented) {
      d.examples.forEach((example, i) => {
        const body = example.split('\n').map(line => `    ${line}`).join('\n');
        files.set(join(FIXTURE_DIR, `__example_${d.name}_${i}.ts`), `${FIXTURE_HEAD}
import { ${names.join(', ')} } from '../../src';
export class Fixture extends Stack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
${body}
  }
}
`);
        bodies.set(join(FIXTURE_DIR, `__example_${d.name}_${i}.ts`), example);
      });
    }
    const host = ts.createCompilerHost(options);
    const getSourceFile = host.getSourceFile;
    host.getSourceFile = (file, language, onError) => {
      const text = files.get(file);
      return text !== undefined ? ts.createSourceFile(file, text, language) : getSourceFile.call(host, file, language, onError);
    };
    const fileExists = host.fileExists;
    host.fileExists = file => files.has(file) || fileExists.call(host, file);
    const examples = ts.createProgram([...files.keys()], options, host);
    const problems = [...files.keys()].flatMap(file => ts.getPreEmitDiagnostics(examples, examples.getSourceFile(file)).map(d =>
      `${file.replace(`${FIXTURE_DIR}/`, '')}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}\n${bodies.get(file)}`));
    expect(problems).toEqual([]);
  });
});
