import { randomUUID } from 'node:crypto';
import { db } from '@/lib/db';
import type { TextEncoding } from '@/lib/uploads/encodings';
import { uploadWholeFile } from '@/lib/uploads/receive-upload';
import { UPLOAD_COLUMNS } from '@/lib/uploads/upload-columns';
import { createUser } from './sign-in-fixtures';

export const HEADER = UPLOAD_COLUMNS.join(',');

/** A prefix no other test uses, so usernames and emails never collide across tests. */
export const uniquePrefix = () => `u${randomUUID().slice(0, 8)}`;

/** RFC 4180 quoting only: the file as a spreadsheet would save it, formulas and all. */
const rawCell = (cell: string | number) =>
  /[",\r\n]/.test(String(cell)) ? `"${String(cell).replace(/"/g, '""')}"` : String(cell);

/** CSV text from rows of cells, after the expected header. */
export function csvText(rows: (string | number)[][], header = HEADER): string {
  return `${header}\r\n${rows.map((r) => `${r.map(rawCell).join(',')}\r\n`).join('')}`;
}

export async function createAdmin() {
  const admin = await createUser();
  return db.user.update({ where: { id: admin.id }, data: { role: 'admin' } });
}

export function upload(
  adminId: string,
  content: string | Uint8Array,
  fileName = 'users.csv',
  encoding?: TextEncoding,
) {
  const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
  return uploadWholeFile({ adminId, fileName, bytes, encoding });
}

/** Row counts of every table an upload may touch. */
export async function tableCounts() {
  const [users, uploads, chunks, invitations, devices] = await Promise.all([
    db.user.count(),
    db.userUpload.count(),
    db.userUploadChunk.count(),
    db.invitation.count(),
    db.trustedDevice.count(),
  ]);
  return { users, uploads, chunks, invitations, devices };
}
