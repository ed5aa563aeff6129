import { strToU8, unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { readRecords as read } from '../../tests/support/read-records';
import {
  HEADER_ROW,
  inlineRow,
  patchCentral,
  sheetBomb,
  workbookFromParts,
} from '../../tests/support/xlsx-parts';
import { UploadRefused } from './upload-refused';

// The .xlsx reader's zip (docs/decisions/0023): zip bombs are refused before they are unpacked,
// and what is not a plain workbook zip (encrypted, Zip64, other compression, a part twice) is
// refused with a message that says so.

const MiB = 1024 * 1024;

async function refusal(file: Uint8Array, maxFileBytes?: number): Promise<UploadRefused> {
  try {
    await read(file, 64 * 1024, 100, { maxFileBytes });
  } catch (error) {
    if (error instanceof UploadRefused) return error;
    throw error;
  }
  throw new Error('read, not refused');
}

/** Bytes in use by this process's JavaScript: heap and the buffers outside it. */
const inUse = () => {
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
};

describe('.xlsx zip checks (CSV-01)', () => {
  it('CSV-01 refuses a zip bomb (64 MiB of sheet in ~0.1 MB) by its declared size before unpacking any of it', async () => {
    const bomb = sheetBomb(64 * MiB);
    expect(bomb.length).toBeLessThan(MiB);
    const before = inUse();
    const refused = await refusal(bomb, MiB);
    expect(refused.code).toBe('too-large');
    expect(refused.message).toMatch(/sheet unpacks to more than 16 MB/);
    expect(inUse() - before).toBeLessThan(32 * MiB);
  });

  it('CSV-01 refuses a zip bomb that lies about its size once it inflates past the size it declared, holding no more than a chunk of it', async () => {
    const bomb = sheetBomb(64 * MiB, 4 * MiB);
    const before = inUse();
    let peak = 0;
    const watch = setInterval(() => (peak = Math.max(peak, inUse() - before)), 1);
    try {
      const refused = await refusal(bomb, MiB);
      expect(refused.code).toBe('malformed');
      expect(refused.message).toMatch(/could not be read as an Excel workbook/);
    } finally {
      clearInterval(watch);
    }
    expect(Math.max(peak, inUse() - before)).toBeLessThan(64 * MiB);
  });

  it('CSV-01 caps the shared strings, held in memory, below the sheet', async () => {
    const many = Array.from({ length: 80_000 }, (_, i) => `<si><t>name number ${i}</t></si>`);
    const file = workbookFromParts({ sheet: HEADER_ROW, sharedStrings: many.join('') });
    const refused = await refusal(file, MiB);
    expect(refused.code).toBe('too-large');
    expect(refused.message).toMatch(/shared strings unpacks to more than 2 MB/);
    // The same file under the default limit (20 MB) is read (its 80,000 strings are within
    // 64 per row of 2,000 rows).
    await expect(read(file, 4096, 2000)).resolves.toMatchObject({ records: [] });
  });

  it('CSV-01 refuses encrypted parts, Zip64 parts, other compression methods and a part stored twice, saying why', async () => {
    const plain = () =>
      workbookFromParts({
        sheet: HEADER_ROW + inlineRow(2, ['ann', 'Ann', 'ann@example.com', '', 'user', 'no']),
      });
    await expect(read(plain())).resolves.toMatchObject({ records: [{ row: 2 }] });

    const encrypted = plain();
    patchCentral(encrypted, 'xl/workbook.xml', (view, at) =>
      view.setUint16(at + 8, view.getUint16(at + 8, true) | 1, true),
    );
    expect((await refusal(encrypted)).message).toMatch(/encrypted/);

    const bzip2 = plain();
    patchCentral(bzip2, 'xl/styles.xml', (view, at) => view.setUint16(at + 10, 12, true));
    expect((await refusal(bzip2)).message).toMatch(/compressed in a way Excel does not use/);

    const parts = unzipSync(plain());
    const zip64 = zipSync(
      Object.fromEntries(
        Object.entries(parts).map(([name, data]) => [
          name,
          name === 'xl/sharedStrings.xml' ? [data, { extra: { 1: new Uint8Array(16) } }] : data,
        ]),
      ),
    );
    expect((await refusal(zip64)).message).toMatch(/Zip64/);

    const twice = zipSync({ ...parts, 'xl/stylez.xml': strToU8('<styleSheet/>') });
    patchCentral(twice, 'xl/stylez.xml', (view, at) =>
      view.setUint8(at + 46 + 'xl/style'.length, 's'.charCodeAt(0)),
    );
    expect((await refusal(twice)).message).toMatch(/xl\/styles.xml is in it twice/);
  });

  it('CSV-01 refuses a cell of more than a million characters before saxes holds it, and a row over 64 K characters', async () => {
    const huge = workbookFromParts({
      sheet: HEADER_ROW + inlineRow(2, ['ann', 'x'.repeat(1_100_000)]),
    });
    expect((await refusal(huge)).message).toMatch(/more than a million characters/);
    const wide = workbookFromParts({
      sheet: HEADER_ROW + inlineRow(2, ['ann', 'x'.repeat(40_000), 'y'.repeat(40_000)]),
    });
    expect((await refusal(wide)).message).toMatch(/Row 2 holds more than 65,536 characters/);
  });

  it('CSV-01 refuses a part with a DOCTYPE (where entity tricks live; no workbook part has one)', async () => {
    const parts = unzipSync(workbookFromParts({ sheet: HEADER_ROW }));
    const sheet = new TextDecoder().decode(parts['xl/worksheets/sheet1.xml']);
    parts['xl/worksheets/sheet1.xml'] = strToU8(
      sheet.replace('?>', '?><!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">]>'),
    );
    expect((await refusal(zipSync(parts))).message).toMatch(
      /could not be read as an Excel workbook/,
    );
  });
});
