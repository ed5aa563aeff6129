import type { Metadata } from 'next';
import Link from 'next/link';
import { requireAdmin } from '@/lib/web/current-user';
import { listUploads, type UploadSummary } from '@/lib/uploads/upload-views';
import {
  cellClass,
  formatBytes,
  formatWhen,
  headCellClass,
  linkClass,
  statusLabels,
} from '../upload/styles';
import { reportHref, uploadPage } from '../upload/upload-paths';

export const metadata: Metadata = { title: 'Upload history' };

const PAGE_SIZE = 25;

export default async function UploadHistoryPage({
  searchParams,
}: {
  searchParams: Promise<{ page?: string | string[] }>;
}) {
  await requireAdmin();
  const raw = (await searchParams).page;
  const page = Math.max(1, Math.min(100_000, Number(Array.isArray(raw) ? raw[0] : raw) || 1));
  const { uploads, total } = await listUploads(page, PAGE_SIZE);
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  return (
    <main>
      <div className="mb-6 flex flex-wrap items-end justify-between gap-4">
        <h1 id="history-title" className="text-2xl font-semibold">
          Upload history
        </h1>
        <Link href="/admin/users/upload" className={linkClass}>
          New upload
        </Link>
      </div>
      {uploads.length === 0 ? (
        <p className="text-slate-700">No files have been uploaded yet.</p>
      ) : (
        <div className="mb-6 overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
          <table aria-labelledby="history-title" className="w-full text-left text-sm">
            <thead className="border-b border-slate-200 bg-slate-50 text-slate-700">
              <tr>
                {[
                  'File',
                  'Size',
                  'SHA-256',
                  'Uploaded by',
                  'When',
                  'Rows',
                  'Created',
                  'Updated',
                  'Skipped',
                  'Failed',
                  'Status',
                  'Problems',
                ].map((h) => (
                  <th key={h} scope="col" className={headCellClass}>
                    {h}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-200">
              {uploads.map((upload) => (
                <HistoryRow key={upload.id} upload={upload} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {pages > 1 && (
        <nav aria-label="Pages" className="flex gap-4 text-sm">
          {page > 1 && (
            <Link href={`/admin/users/uploads?page=${page - 1}`} className={linkClass}>
              Newer
            </Link>
          )}
          <span>
            Page {page} of {pages}
          </span>
          {page < pages && (
            <Link href={`/admin/users/uploads?page=${page + 1}`} className={linkClass}>
              Older
            </Link>
          )}
        </nav>
      )}
    </main>
  );
}

function HistoryRow({ upload }: { upload: UploadSummary }) {
  const n = (v: number) => v.toLocaleString('en');
  return (
    <tr data-testid="upload-row">
      <th scope="row" className={`${cellClass} font-medium`}>
        <Link href={uploadPage(upload.id)} className={`${linkClass} break-all`}>
          {upload.fileName}
        </Link>
      </th>
      <td className={`${cellClass} whitespace-nowrap`}>{formatBytes(upload.size)}</td>
      <td className={`${cellClass} font-mono text-xs`} title={upload.checksum ?? undefined}>
        {upload.checksum ? `${upload.checksum.slice(0, 12)}…` : '—'}
      </td>
      <td className={cellClass}>{upload.uploadedBy ?? 'a deleted user'}</td>
      <td className={`${cellClass} whitespace-nowrap`}>
        <time dateTime={upload.createdAt.toISOString()}>{formatWhen(upload.createdAt)}</time>
      </td>
      <td className={cellClass}>{n(upload.rowsRead)}</td>
      <td className={cellClass} data-testid="created">
        {n(upload.created)}
      </td>
      <td className={cellClass}>{n(upload.updated)}</td>
      <td className={cellClass}>{n(upload.skipped)}</td>
      <td className={cellClass} data-testid="failed">
        {n(upload.failed)}
      </td>
      <td className={cellClass}>{statusLabels[upload.status]}</td>
      <td className={cellClass}>
        {upload.rowsInvalid > 0 ? (
          <a href={reportHref(upload.id)} className={linkClass} download>
            Report ({n(upload.rowsInvalid)} rows)
          </a>
        ) : (
          'None'
        )}
      </td>
    </tr>
  );
}
