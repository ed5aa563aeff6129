import Link from 'next/link';
import type { ReactNode } from 'react';
import type { UploadDetail } from '@/lib/uploads/upload-views';
import { ImportForm, ImportWatcher, SendInvitationsForm } from './import-form';
import {
  cardClass,
  cellClass,
  formatBytes,
  formatWhen,
  headCellClass,
  linkClass,
  statusLabels,
} from './styles';
import { reportHref } from './upload-paths';

// One upload: what was found (the dry run), the import choice, and what the import did.

/** `confirm`: the admin's "Confirm it's you" step, shown before the import form. */
export function UploadResult({ upload, confirm }: { upload: UploadDetail; confirm?: ReactNode }) {
  const done =
    upload.status === 'imported' || upload.status === 'rejected' || upload.status === 'failed';
  return (
    <>
      <section aria-labelledby="file-title" className={cardClass}>
        <h2 id="file-title" className="mb-3 text-lg font-semibold break-all">
          {upload.fileName}
        </h2>
        <dl className="grid grid-cols-[10rem_1fr] gap-y-1 text-sm">
          <dt className="text-slate-600">Status</dt>
          <dd data-testid="upload-status">{statusLabels[upload.status]}</dd>
          <dt className="text-slate-600">Size</dt>
          <dd>{formatBytes(upload.size)}</dd>
          {upload.readAs && (
            <>
              <dt className="text-slate-600">Read as</dt>
              <dd data-testid="upload-read-as">{upload.readAs}</dd>
            </>
          )}
          {upload.unknownColumns.length > 0 && (
            <>
              <dt className="text-slate-600">Columns not read</dt>
              <dd data-testid="upload-unknown-columns">
                {upload.unknownColumns.join(', ')} (not a column of the upload: their cells were
                ignored)
              </dd>
            </>
          )}
          <dt className="text-slate-600">SHA-256</dt>
          <dd className="font-mono text-xs break-all">{upload.checksum ?? '—'}</dd>
          <dt className="text-slate-600">Uploaded</dt>
          <dd>
            {formatWhen(upload.createdAt)} by {upload.uploadedBy ?? 'a deleted user'}
          </dd>
        </dl>
      </section>

      <section aria-labelledby="preview-title" className={cardClass}>
        <h2 id="preview-title" className="mb-3 text-lg font-semibold">
          {done ? 'Rows' : 'Preview'}
        </h2>
        <Counts
          testId="preview-counts"
          items={[
            ['Rows read', upload.rowsRead],
            ['Valid', upload.rowsValid],
            ['With problems', upload.rowsInvalid],
            ['New users', upload.rowsNew],
            ['Existing users', upload.rowsExisting],
          ]}
        />
        <Problems upload={upload} />
      </section>

      {upload.status === 'validated' && confirm}
      {upload.status === 'validated' && (
        <section aria-labelledby="import-title" className={cardClass}>
          <h2 id="import-title" className="mb-3 text-lg font-semibold">
            Import
          </h2>
          <ImportForm
            uploadId={upload.id}
            rowsRead={upload.rowsRead}
            rowsInvalid={upload.rowsInvalid}
          />
        </section>
      )}
      {upload.status === 'importing' && (
        <section aria-labelledby="importing-title" className={cardClass}>
          <h2 id="importing-title" className="mb-3 text-lg font-semibold">
            Importing
          </h2>
          <ImportWatcher uploadId={upload.id} rowsRead={upload.rowsRead} />
        </section>
      )}
      {done && <Outcome upload={upload} />}
      <p>
        <Link href="/admin/users/upload" className={linkClass}>
          Upload another file
        </Link>
      </p>
    </>
  );
}

function Outcome({ upload }: { upload: UploadDetail }) {
  const waiting = upload.invitations.pending + upload.invitations.failed;
  return (
    <section aria-labelledby="result-title" className={cardClass}>
      <h2 id="result-title" className="mb-3 text-lg font-semibold">
        Result
      </h2>
      {upload.status === 'rejected' && (
        <p className="mb-3 text-slate-800">
          Nothing was imported: you chose to import only if every row is valid, and{' '}
          {upload.failed.toLocaleString('en')} rows were not.
        </p>
      )}
      {upload.status === 'failed' && (
        <p role="alert" className="mb-3 text-red-800">
          {upload.error}
        </p>
      )}
      <Counts
        testId="result-counts"
        items={[
          ['Created', upload.created],
          ['Updated', upload.updated],
          ['Skipped', upload.skipped],
          ['Failed', upload.failed],
        ]}
      />
      {upload.created > 0 && (
        <>
          <h3 className="mt-5 mb-2 font-semibold">Invitations</h3>
          <Counts
            testId="invitation-counts"
            items={[
              ['Sent', upload.invitations.sent],
              ['Not sent yet', upload.invitations.pending],
              ['Failed', upload.invitations.failed],
              ['Password set', upload.invitations.accepted],
            ]}
          />
          <SendInvitationsForm key={upload.id} uploadId={upload.id} waiting={waiting} />
        </>
      )}
    </section>
  );
}

function Counts({ items, testId }: { items: [string, number][]; testId: string }) {
  return (
    <dl data-testid={testId} className="grid grid-cols-2 gap-3 sm:grid-cols-5">
      {items.map(([label, value]) => (
        <div key={label} className="rounded-lg bg-slate-50 p-3">
          <dt className="text-xs text-slate-600">{label}</dt>
          <dd className="text-xl font-semibold">{value.toLocaleString('en')}</dd>
        </div>
      ))}
    </dl>
  );
}

function Problems({ upload }: { upload: UploadDetail }) {
  if (upload.problemCount === 0)
    return <p className="mt-4 text-sm text-slate-700">No problems found.</p>;
  const shown = upload.problems.length;
  return (
    <div className="mt-5">
      <h3 id="problems-title" className="mb-1 font-semibold">
        Problems
      </h3>
      <p className="mb-2 text-sm text-slate-700">
        Row numbers are as a spreadsheet shows them (the header is row 1).
        {shown < upload.problemCount &&
          ` The first ${shown} of ${upload.problemCount.toLocaleString('en')} are shown.`}{' '}
        <a href={reportHref(upload.id)} className={linkClass} download>
          Download the full problem report (CSV)
        </a>
      </p>
      <div className="overflow-x-auto rounded-lg border border-slate-200">
        <table aria-labelledby="problems-title" className="w-full text-left text-sm">
          <thead className="bg-slate-50 text-slate-700">
            <tr>
              {['Row', 'Column', 'Value', 'Problem'].map((h) => (
                <th key={h} scope="col" className={headCellClass}>
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-200">
            {upload.problems.map((p, i) => (
              <tr key={i}>
                <td className={cellClass}>{p.row || '—'}</td>
                <td className={cellClass}>{p.column === '*' ? 'whole row' : p.column}</td>
                <td className={`${cellClass} font-mono break-all`}>{p.value ?? ''}</td>
                <td className={cellClass}>{p.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
