import type { Metadata } from 'next';
import Link from 'next/link';
import { adminUploadFreshCodePage } from '@/app/(account)/account/_fresh-code/fresh-code-wording';
import { requireAdmin } from '@/lib/web/current-user';
import { getAccountSecurityDeps } from '@/lib/web/wiring';
import { viewFreshCode } from '@/lib/auth/fresh-code';
import { env } from '@/lib/env';
import { TWO_FACTOR_VALUES, UPLOAD_COLUMNS } from '@/lib/uploads/upload-columns';
import { getUpload } from '@/lib/uploads/upload-views';
import { ConfirmAdmin } from '../confirm-admin';
import { UploadResult } from './upload-result';
import { UploadForm } from './upload-form';
import { cardClass, linkClass } from './styles';

export const metadata: Metadata = { title: 'User Upload' };

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) ?? '';

export default async function UserUploadPage({
  searchParams,
}: {
  searchParams: Promise<{ id?: string | string[]; fresh?: string | string[] }>;
}) {
  const admin = await requireAdmin();
  const query = await searchParams;
  const id = first(query.id).slice(0, 64);
  const upload = id ? await getUpload(id) : null;
  // Importing changes how people sign in (new admins, new email or phone for existing users): the
  // admin confirms it's them first (SE-07, decision 12). The dry run before it needs no code.
  const confirm = upload?.status === 'validated' && /^[\w-]{1,64}$/.test(upload.id) && (
    <ConfirmAdmin
      page={adminUploadFreshCodePage(upload.id)}
      adminEmail={admin.email}
      view={await viewFreshCode(getAccountSecurityDeps(), admin.id)}
      fresh={first(query.fresh)}
      purpose="import these users"
    />
  );
  return (
    <main className="space-y-6">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <h1 className="text-2xl font-semibold">User Upload</h1>
        <Link href="/admin/users/uploads" className={linkClass}>
          Upload history
        </Link>
      </div>
      {id && !upload && (
        <p role="alert" className="text-red-800">
          This upload was not found. Upload the file again.
        </p>
      )}
      {upload ? <UploadResult upload={upload} confirm={confirm || null} /> : <NewUpload />}
    </main>
  );
}

function NewUpload() {
  return (
    <>
      <section aria-labelledby="format-title" className={cardClass}>
        <h2 id="format-title" className="mb-2 text-lg font-semibold">
          The file
        </h2>
        <p className="mb-3 text-slate-700">
          A CSV file (UTF-8, UTF-16, or Excel&apos;s Windows-1252, 1250 or 1251: the encoding is
          detected, or choose it below; MacRoman only when chosen) or an Excel workbook (.xlsx, its
          first sheet), at most {env.UPLOAD_MAX_ROWS.toLocaleString('en')} rows and{' '}
          {Math.round(env.UPLOAD_MAX_BYTES / 1024 / 1024)} MB. The first line names the columns, in
          any order: <code className="rounded bg-slate-100 px-1">{UPLOAD_COLUMNS.join(', ')}</code>{' '}
          (all six are required; case, spaces, dashes and underscores do not matter, and common
          names such as &quot;User Name&quot;, &quot;E-mail&quot;, &quot;Phone Number&quot; or
          &quot;2FA&quot; are understood). Other columns are listed in the preview and ignored.
        </p>
        <ul className="mb-4 list-disc space-y-1 pl-5 text-sm text-slate-700">
          <li>
            <strong>username</strong>: 3 to 64 letters, digits, dots, dashes or underscores.
          </li>
          <li>
            <strong>phone</strong>: international (+44 20 7946 0958) or national for region{' '}
            {env.PHONE_DEFAULT_REGION}; required when two_factor is on.
          </li>
          <li>
            <strong>role</strong>: user or admin (empty means user). <strong>two_factor</strong>:{' '}
            {TWO_FACTOR_VALUES}.
          </li>
          <li>No passwords: each new user gets an email with a link to choose one.</li>
        </ul>
        <a href="/admin/users/upload/template" className={linkClass} download>
          Download the template (CSV)
        </a>
      </section>
      <section aria-labelledby="upload-title" className={cardClass}>
        <h2 id="upload-title" className="mb-4 text-lg font-semibold">
          Upload a file
        </h2>
        <UploadForm />
      </section>
    </>
  );
}
