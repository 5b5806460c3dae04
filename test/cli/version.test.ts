import { readFileSync } from 'fs';
import { join } from 'path';
import { buildProgram } from '../../src/cli/main';

describe('guarded-keys --version', () => {
  test('prints the package version and exits 0', () => {
    // GIVEN the program, with its output and exit captured
    const version = (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
    let out = '';
    const program = buildProgram().configureOutput({ writeOut: text => { out += text; } });
    const exit = jest.spyOn(process, 'exit').mockImplementation(((code?: number) => { throw new Error(`exit ${code}`); }) as never);
    try {
      // WHEN
      expect(() => program.parse(['node', 'guarded-keys', '--version'])).toThrow('exit 0');
    } finally {
      exit.mockRestore();
    }
    // THEN
    expect(out.trim()).toEqual(version);
    expect(buildProgram().version()).toEqual(version);
  });
});
