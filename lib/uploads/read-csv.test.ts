import { describe, expect, it } from 'vitest';
import { readUploadRecords, UploadRefused } from './read-csv';
import { UPLOAD_COLUMNS } from './upload-columns';

const HEADER = UPLOAD_COLUMNS.join(',');

async function* chunksOf(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function read(bytes: Uint8Array, size: number) {
  const records = [];
  for await (const record of readUploadRecords(chunksOf(bytes, size), { maxRows: 100 }))
    records.push(record);
  return records;
}

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

  it('CSV-01 reads the same records whatever the chunk sizes, characters split between chunks included; a BOM is dropped', async () => {
    for (const size of [1, 2, 3, 5, 7, 64, bytes.length]) {
      expect(await read(bytes, size), `chunks of ${size}`).toEqual([
        { row: 2, fields: ['zoë', 'Zoë "Z"\r\nÜnal 名前 😀', 'z@example.com', '', 'user', 'no'] },
        { row: 4, fields: ['bob', '€', 'b@example.com', '', 'user', 'no'] },
      ]);
    }
  });

  it('CSV-01 refuses invalid UTF-8 wherever the chunks split it: a stray, a truncated or an overlong sequence, a surrogate', async () => {
    const prefix = encode(`${HEADER}\r\nann,`);
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
});
