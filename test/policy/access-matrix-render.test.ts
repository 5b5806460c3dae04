import { App } from 'aws-cdk-lib';
import { buildDataPlatformApp } from '../../integ/integ.data-platform';
import { keyAccessMatrices, KeyAccessMatrix, renderAccessMatrix } from '../../src/policy/access-matrix';
import { renderAccessMatrixWithin } from '../../src/policy/access-matrix-render';

describe('an access matrix rendered within a width', () => {
  let matrices: KeyAccessMatrix[];
  beforeAll(() => {
    const stack = buildDataPlatformApp(new App({ context: { 'aws:cdk:enable-path-metadata': true } })).synth().getStackByName('DataPlatform');
    matrices = keyAccessMatrices(stack.template, stack.stackName);
  });

  test('a table that fits is the full table', () => {
    const full = renderAccessMatrix(matrices[0]);
    expect(renderAccessMatrixWithin(matrices[0], 1000)).toBe(full);
  });

  test.each([60, 80, 120])('a strict key within %i columns: every line fits, every row and its reasons are kept', width => {
    // GIVEN the strict IngestKey, whose deny conditions name whole role ARNs (over 170 columns as one table)
    const ingest = matrices.find(m => m.logicalId === 'IngestKey')!;
    expect(Math.max(...renderAccessMatrix(ingest).split('\n').map(l => l.length))).toBeGreaterThan(170);
    // WHEN
    const text = renderAccessMatrixWithin(ingest, width);
    // THEN
    for (const line of text.split('\n')) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(width);
    const words = text.replace(/\s+/g, '');
    for (const row of ingest.rows) {
      expect(words).toContain(row.source.replace(/\s+/g, ''));
      for (const condition of row.conditions) expect(words).toContain(condition.replace(/\s+/g, ''));
    }
    const rowLines = text.split('\n').filter(line => /^(everyone|IngestRole|AppRole|KeyAdmins|account) /.test(line));
    expect(rowLines).toHaveLength(ingest.rows.length);
  });
});
