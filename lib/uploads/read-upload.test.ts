import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { readRecords as read } from '../../tests/support/read-records';
import { UploadRefused } from './upload-refused';
import { UPLOAD_COLUMNS } from './upload-columns';

const HEADER = UPLOAD_COLUMNS.join(',');

async function refusal(bytes: Uint8Array, size: number): Promise<string | null> {
  try {
    await read(bytes, size);
    return null;
  } catch (error) {
    if (error instanceof UploadRefused) return error.code;
    throw error;
  }
}

const encode = (text: string) => new TextEncoder().encode(text);

describe('readUploadRecords (CSV-01)', () => {
  // 2-, 3- and 4-byte characters, a quoted field with a line break (still one row), a blank line.
  const text = `\uFEFF${HEADER}\r\nzoë,"Zoë ""Z""\r\nÜnal 名前 😀",z@example.com,,user,no\r\n\r\nbob,€,b@example.com,,user,no\r\n`;
  const bytes = encode(text);
  const expected = [
    { row: 2, fields: ['zoë', 'Zoë "Z"\r\nÜnal 名前 😀', 'z@example.com', '', 'user', 'no'] },
    { row: 4, fields: ['bob', '€', 'b@example.com', '', 'user', 'no'] },
  ];

  it('CSV-01 reads the same records whatever the chunk sizes, characters split between chunks included; a BOM is dropped and reported', async () => {
    for (const size of [1, 2, 3, 5, 7, 64, bytes.length]) {
      const { records, info } = await read(bytes, size);
      expect(records, `chunks of ${size}`).toEqual(expected);
      expect(info).toEqual({ format: 'csv', encoding: 'UTF-8 with BOM', unknownColumns: [] });
    }
    expect((await read(bytes.subarray(3), 5)).info?.encoding).toBe('UTF-8');
  });

  it('CSV-01 reads UTF-16 LE and BE, with and without a BOM, whatever the chunk sizes', async () => {
    const plain = text.slice(1);
    const cases = [
      ['UTF-16 LE', iconv.encode(plain, 'utf-16le', { addBOM: true })],
      ['UTF-16 LE', iconv.encode(plain, 'utf-16le')],
      ['UTF-16 BE', iconv.encode(plain, 'utf-16be', { addBOM: true })],
      ['UTF-16 BE', iconv.encode(plain, 'utf-16be')],
    ] as const;
    for (const [encoding, file] of cases)
      for (const size of [1, 3, 64, file.length]) {
        const { records, info } = await read(file, size);
        expect(records, `${encoding} in chunks of ${size}`).toEqual(expected);
        expect(info?.encoding).toBe(encoding);
      }
  });

  it('CSV-01 reads Windows-1252 (Excel\'s "CSV"), even when its first accent comes late in the file', async () => {
    const rows = ['zoe,Zoë Müller,z@example.com,,user,no', 'jose,José Peña,j@example.com,,user,no'];
    const early = iconv.encode(`${HEADER}\r\n${rows.join('\r\n')}\r\n`, 'windows-1252');
    const filler = Array.from({ length: 40 }, (_, i) => `u${i},U,u${i}@example.com,,user,no`);
    const late = iconv.encode(
      `${HEADER}\r\n${[...filler, ...rows].join('\r\n')}\r\n`,
      'windows-1252',
    );
    for (const size of [1, 2, 7, 1024, 1_000_000]) {
      const a = await read(early, size);
      expect(a.info?.encoding).toBe('Windows-1252');
      expect(a.records.map((r) => r.fields[1])).toEqual(['Zoë Müller', 'José Peña']);
      const b = await read(late, size);
      expect(b.info?.encoding).toBe('Windows-1252');
      expect(b.records.slice(-2).map((r) => r.fields[1])).toEqual(['Zoë Müller', 'José Peña']);
    }
  });

  it('CSV-01 refuses a UTF-8 file with invalid sequences after its first UTF-8 character, wherever the chunks split it', async () => {
    const prefix = encode(`${HEADER}\r\nzoë,`);
    for (const bad of [
      [0xe9, 0x2c],
      [0xe2, 0x82],
      [0xc0, 0xaf],
      [0xed, 0xa0, 0x80],
      [0xf0, 0x9f, 0x98],
    ]) {
      const file = new Uint8Array([...prefix, ...bad, ...encode(',a@example.com,,user,no\r\n')]);
      const truncatedAtEnd = new Uint8Array([...prefix, ...bad]);
      for (const size of [1, 2, 3, prefix.length + 1, 64]) {
        expect(await refusal(file, size), `${bad} in chunks of ${size}`).toBe('encoding');
        expect(await refusal(truncatedAtEnd, size), `${bad} at the end in chunks of ${size}`).toBe(
          'encoding',
        );
      }
    }
  });

  it('CSV-01 refuses bytes Windows-1252 leaves undefined rather than guess', async () => {
    const file = new Uint8Array([
      ...encode(`${HEADER}\r\nann,A`),
      0x81,
      ...encode(',a@x.io,,,\r\n'),
    ]);
    expect(await refusal(file, 8)).toBe('encoding');
  });

  it('CSV-01 refuses NUL bytes as binary and an unclosed quote as malformed', async () => {
    expect(
      await refusal(
        new Uint8Array([
          ...encode(`${HEADER}\r\nann`),
          0,
          ...encode(',,a@example.com,,user,no\r\n'),
        ]),
        4,
      ),
    ).toBe('binary');
    expect(await refusal(encode(`${HEADER}\r\n"ann,,a@example.com,,user,no\r\n`), 4)).toBe(
      'malformed',
    );
  });

  it('CSV-01 matches the header by name in any order and reports unknown columns', async () => {
    const file = encode(
      'E-mail,Notes,User Name,2FA,Full Name,Phone Number,Role\r\nann@example.com,met at fair,ann,no,Ann,,user\r\n,,,,,,\r\nbob@example.com,,bob,yes,Bob,+14155550100,admin\r\n',
    );
    const { records, info } = await read(file, 5);
    expect(info?.unknownColumns).toEqual(['Notes (B)']);
    expect(records).toEqual([
      { row: 2, fields: ['ann', 'Ann', 'ann@example.com', '', 'user', 'no'] },
      { row: 4, fields: ['bob', 'Bob', 'bob@example.com', '+14155550100', 'admin', 'yes'] },
    ]);
  });

  it("CSV-01 reports a value in a column without a header and a short line as the row's problem", async () => {
    const file = encode(
      `username,name,email,phone,role,two_factor,,\r\nann,Ann,a@example.com,,user,no,,oops\r\nbob\r\n`,
    );
    const { records } = await read(file, 64);
    expect(records.map((r) => [r.row, r.problem])).toEqual([
      [2, 'Column H has a value but no header: name the column or clear it.'],
      [3, 'Expected 6 values as in the header, found 1.'],
    ]);
  });

  it('CSV-01 refuses a header without the required columns or with a column twice', async () => {
    expect(await refusal(encode('name,phone\r\nAnn,\r\n'), 64)).toBe('header');
    // A left-out column is refused, not read as empty: "Update them" would clear or demote with it.
    expect(
      await refusal(encode('username,email,phone,name,2fa\r\nann,a@x.io,,Ann,no\r\n'), 64),
    ).toBe('header');
    expect(await refusal(encode('username,Email,E-mail\r\nann,a@x.io,a@x.io\r\n'), 64)).toBe(
      'header',
    );
  });
});
