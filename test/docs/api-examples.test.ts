import { existsSync, readFileSync } from 'fs';
import { dirname, join } from 'path';
import * as ts from 'typescript';

/**
 * Every class and every props interface that src/index.ts exports has an `@example` in its JSDoc (jsii carries it
 * into the .jsii manifest, and jsii-docgen shows it in API.md), and every example compiles as written, in the fixture
 * jsii-rosetta uses (rosetta/default.ts-fixture): inside the constructor of a Stack, with a few names declared.
 */
const ROOT = join(__dirname, '..', '..');
const FIXTURE_DIR = join(ROOT, 'test', 'docs');

/**
 * The fixture jsii-rosetta compiles every example in (for the Python, Java and Go docs): the example replaces its
 * `/// here` line; the package's own name points at the sources.
 */
const FIXTURE = readFileSync(join(ROOT, 'rosetta', 'default.ts-fixture'), 'utf8').replace(/'cdk-guarded-keys'/g, "'../../src'");

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
 * type checker is built for it): classes and `*Props` interfaces with their examples.
 */
function entryPointExports(): { documented: Documented[] } {
  const documented: Documented[] = [];
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
      const named = statement as ts.DeclarationStatement;
      if (ts.isVariableStatement(statement) || !named.name) continue;
      const kind = ts.isClassDeclaration(statement) ? 'class' : ts.isInterfaceDeclaration(statement) && named.name.text.endsWith('Props') ? 'props' : undefined;
      if (!kind) continue;
      const examples = ts.getJSDocTags(statement).filter(t => t.tagName.text === 'example').map(t => ts.getTextOfJSDocComment(t.comment) ?? '');
      documented.push({ name: named.name.text, kind, examples });
    }
  };
  visit(join(ROOT, 'src', 'index.ts'));
  return { documented };
}

describe('API examples', () => {
  const options = compilerOptions();
  const { documented } = entryPointExports();

  test('the entry point exports the constructs and their props', () => {
    expect(documented.map(d => d.name)).toEqual(expect.arrayContaining(['GuardedKey', 'GuardedKeyProps', 'SealedValue', 'DataKeyProps', 'KeyGuard']));
  });

  test('the fixture imports every exported class and props interface, so any example may use them', () => {
    const missing = documented.filter(d => !new RegExp(`\\b${d.name}\\b`).test(FIXTURE.split('/// here')[0]));
    expect(missing.map(d => d.name)).toEqual([]);
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
        expect(FIXTURE).toContain('/// here');
        files.set(join(FIXTURE_DIR, `__example_${d.name}_${i}.ts`), FIXTURE.replace(/^ *\/\/\/ here$/m, body));
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
  }, 180_000); // a TypeScript program over aws-cdk-lib's types: seconds alone, more on a shared machine
});
