import { describe, expect, it } from 'vitest';
import { csvCell, csvLine } from '@/lib/csv/csv-cell';
import { problemReportLines } from './problem-report';

describe('problem report (CSV-04)', () => {
  it.each([
    ['=1+1', "'=1+1"],
    ['+1 415 555 0100', "'+1 415 555 0100"],
    ['-2', "'-2"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', "'\tx"],
    ['\0x', "'\0x"],
  ])('CSV-04 a cell starting with %j gets a leading apostrophe', (input, output) => {
    expect(csvCell(input)).toBe(output);
  });

  it.each([
    [' =1+1', "' =1+1"],
    ['  +cmd', "'  +cmd"],
    ['\t-2', "'\t-2"],
    [' \t@SUM(A1)', "' \t@SUM(A1)"],
  ])(
    'CSV-04 a formula behind leading spaces or tabs (%j) is escaped too, as OWASP advises',
    (input, output) => {
      expect(csvCell(input)).toBe(output);
    },
  );

  it('CSV-04 a cell that only starts with spaces is left alone', () => {
    expect(csvCell(' hello')).toBe(' hello');
    expect(csvCell('  1 + 1')).toBe('  1 + 1');
  });

  it('CSV-04 a cell starting with CR is escaped and, holding a CR, quoted', () => {
    expect(csvCell('\r=cmd')).toBe(`"'\r=cmd"`);
  });

  it('CSV-04 RFC 4180: commas, quotes and line breaks are quoted, quotes doubled; plain text is left alone', () => {
    expect(csvCell('plain text')).toBe('plain text');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvCell(null)).toBe('');
    expect(csvCell(12)).toBe('12');
    expect(csvCell('a=b')).toBe('a=b'); // only the first character matters
  });

  it('CSV-04 the report has a header, one line per problem, and says how many were not stored', () => {
    const lines = [
      ...problemReportLines(
        [{ row: 2, column: 'email', reason: 'Not a valid email address.', value: '=x' }],
        5,
      ),
    ];
    expect(lines).toEqual([
      'row,column,value,reason\r\n',
      "2,email,'=x,Not a valid email address.\r\n",
      ',*,,5 more problems were found but not stored; fix the rows above and upload the file again.\r\n',
    ]);
    expect(csvLine(['-', '+'])).toBe("'-,'+\r\n");
  });
});
