import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { readRecords as read } from '../../tests/support/read-records';
import { guessCodePage } from './code-page';
import { UPLOAD_COLUMNS } from './upload-columns';

// CSVs in Excel's single-byte code pages (docs/decisions/0023): Windows-1250 and 1251 told from
// Windows-1252, an uncertain guess said so, and the admin's choice used as it is.

const HEADER = UPLOAD_COLUMNS.join(',');
const csv = (rows: string[]) => `${HEADER}\r\n${rows.join('\r\n')}\r\n`;
const names = (records: { fields: string[] }[]) => records.map((r) => r.fields[1]);

const CYRILLIC = [
  'ivanov,Иван Иванов,ivan@example.com,,user,no',
  'petrova,Мария Петрова,maria@example.com,,user,no',
  'sidorov,ЮРИЙ Сидоров,yuri@example.com,,user,no',
];
const POLISH = [
  'nowak,Łukasz Nowak,lukasz@example.com,,user,no',
  'zak,Paweł Żak,pawel@example.com,,user,no',
  'sliwa,Świętosław Śliwa,s@example.com,,user,no',
];
const WESTERN = [
  'zoe,Zoë Müller,zoe@example.com,,user,no',
  'jose,José Peña,jose@example.com,,user,no',
  'obrien,Seán O’Brien,sean@example.com,,user,no',
];

describe('code page detection (CSV-01)', () => {
  it('CSV-01 reads Cyrillic names in Windows-1251 and Polish names in Windows-1250, and still reads Windows-1252, whatever the chunk sizes', async () => {
    for (const [rows, encoding] of [
      [CYRILLIC, 'Windows-1251'],
      [POLISH, 'Windows-1250'],
      [WESTERN, 'Windows-1252'],
    ] as const) {
      const file = iconv.encode(csv([...rows]), encoding.toLowerCase());
      for (const size of [3, 64, 100_000]) {
        const { records, info } = await read(file, size);
        expect(info, `${encoding} in chunks of ${size}`).toEqual({
          format: 'csv',
          encoding,
          unknownColumns: [],
        });
        expect(names(records)).toEqual(rows.map((row) => row.split(',')[1]));
      }
    }
  });

  it('CSV-01 detects the code page when the first name beyond ASCII comes late, and a single short name', async () => {
    const filler = Array.from({ length: 200 }, (_, i) => `u${i},U,u${i}@example.com,,user,no`);
    const late = iconv.encode(csv([...filler, CYRILLIC[0]!]), 'windows-1251');
    const { records, info } = await read(late, 1000, 1000);
    expect(info?.encoding).toBe('Windows-1251');
    expect(records.at(-1)!.fields[1]).toBe('Иван Иванов');
    const one = iconv.encode(csv(['zak,Paweł Żak,p@example.com,,user,no']), 'windows-1250');
    expect((await read(one)).info?.encoding).toBe('Windows-1250');
  });

  it('CSV-01 marks a guess it cannot be sure of (Czech in 1250 reads as letters in 1252 too), and reads the file in the encoding the admin chose', async () => {
    const czech = iconv.encode(csv(['skoda,Jiří Škoda,j@example.com,,user,no']), 'windows-1250');
    const guessed = await read(czech);
    expect(guessed.info).toEqual({
      format: 'csv',
      encoding: 'Windows-1252',
      encodingSource: 'guessed',
      unknownColumns: [],
    });
    const chosen = await read(czech, 7, 100, { encoding: 'Windows-1250' });
    expect(chosen.info).toMatchObject({ encoding: 'Windows-1250', encodingSource: 'chosen' });
    expect(names(chosen.records)).toEqual(['Jiří Škoda']);

    const mac = iconv.encode(csv(WESTERN.slice(0, 2)), 'macintosh');
    const asMac = await read(mac, 5, 100, { encoding: 'MacRoman' });
    expect(names(asMac.records)).toEqual(['Zoë Müller', 'José Peña']);

    const utf16 = iconv.encode(csv(CYRILLIC), 'utf-16le');
    const as16 = await read(utf16, 5, 100, { encoding: 'UTF-16 LE' });
    expect(names(as16.records)).toEqual(CYRILLIC.map((row) => row.split(',')[1]));
  });

  it('CSV-01 refuses a chosen code page that leaves a byte of the file undefined, rather than read it wrong', async () => {
    const file = iconv.encode(csv(CYRILLIC), 'windows-1251');
    // 0x98 is no character in Windows-1251; put one in a name.
    const bad = Buffer.concat([file, Buffer.from([0x98, 0x0d, 0x0a])]);
    await expect(read(bad, 4096, 100, { encoding: 'Windows-1251' })).rejects.toMatchObject({
      code: 'encoding',
      message: expect.stringMatching(/no character in Windows-1251/),
    });
  });

  it('CSV-01 names the chosen encoding when the file says it is another (a UTF-8 byte-order mark, UTF-16)', async () => {
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(csv(WESTERN))]);
    await expect(read(bom, 4096, 100, { encoding: 'Windows-1250' })).rejects.toMatchObject({
      code: 'encoding',
      message:
        'This file starts with a UTF-8 byte-order mark but you chose Windows-1250: choose UTF-8 or Detect automatically on the upload form.',
    });
    expect(names((await read(bom, 4096, 100, { encoding: 'UTF-8' })).records)).toHaveLength(3);
    const utf16 = iconv.encode(csv(CYRILLIC), 'utf-16le');
    await expect(read(utf16, 4096, 100, { encoding: 'Windows-1251' })).rejects.toMatchObject({
      code: 'encoding',
      message: expect.stringMatching(
        /^This file looks like UTF-16 LE text .* but you chose Windows-1251: choose UTF-16 LE or Detect automatically/,
      ),
    });
    const withMark = Buffer.concat([
      Buffer.from([0xfe, 0xff]),
      iconv.encode(csv(WESTERN), 'utf-16be'),
    ]);
    await expect(read(withMark, 4096, 100, { encoding: 'UTF-16 LE' })).rejects.toMatchObject({
      message: expect.stringMatching(
        /starts with a UTF-16 BE byte-order mark but you chose UTF-16 LE/,
      ),
    });
  });

  it('CSV-01 scores each reading by its words: a symbol in a word, a Latin word of accents alone, a word of two scripts', () => {
    const sample = (text: string, encoding: string) => iconv.encode(text, encoding);
    expect(guessCodePage(sample('Иван Петров', 'windows-1251'))).toEqual({
      codePage: 'Windows-1251',
      certain: true,
    });
    expect(guessCodePage(sample('Łukasz', 'windows-1250'))).toEqual({
      codePage: 'Windows-1250',
      certain: true,
    });
    // é and ü are the same bytes in 1250 and 1252: either reading is right.
    expect(guessCodePage(sample('Müller, René', 'windows-1252'))).toEqual({
      codePage: 'Windows-1252',
      certain: true,
    });
    expect(guessCodePage(Buffer.from([0x98, 0x81]))).toEqual({ codePage: null, certain: true });
  });
});
