'use client';

import { useActionState, useRef, useState } from 'react';
import { useRouter } from 'next/navigation';
import { buttonClass, FormMessage, inputClass } from '@/app/ui/auth-card';
import type { FormState } from '@/lib/auth/form-state';
import { CHOOSABLE_ENCODINGS } from '@/lib/uploads/encodings';
import { uploadFileAction } from './actions';
import { CHUNKS_HREF, statusHref, uploadPage } from './upload-paths';
import { ProgressBar } from './progress-bar';

// Without JavaScript this is a plain multipart form posting to `uploadFileAction`: React gives a
// form whose action is a function a multipart encType and the POST method (setting them here too
// makes React warn, tests/integration/forms.test.ts). With JavaScript, the file goes in 1 MiB
// chunks to the chunks route (Vercel caps a request body at 4.5 MB), with its SHA-256 checked at
// the end, and a progress bar for the upload and then the validation.

const CHUNK = 1024 * 1024;
type Progress = { label: string; done: number; total: number | null };

export function UploadForm() {
  const [state, formAction, pending] = useActionState(uploadFileAction, {} as FormState);
  const [error, setError] = useState<string | null>(null);
  const [progress, setProgress] = useState<Progress | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const encoding = useRef<HTMLSelectElement>(null);
  const router = useRouter();

  async function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    const file = input.current?.files?.[0];
    if (!file) return; // the server answers with "choose a file"
    event.preventDefault();
    setError(null);
    try {
      const uploadId = await sendInChunks(file, encoding.current?.value ?? '', setProgress);
      router.push(uploadPage(uploadId));
    } catch (problem) {
      setProgress(null);
      setError(problem instanceof Error ? problem.message : 'The upload failed. Try again.');
    }
  }

  const message = error ?? state.error;
  const busy = pending || progress !== null;
  return (
    <form action={formAction} onSubmit={onSubmit} className="space-y-4" noValidate>
      {message && <FormMessage id="upload-error">{message}</FormMessage>}
      <div>
        <label htmlFor="file" className="mb-1 block text-sm font-medium text-slate-700">
          CSV or Excel file
        </label>
        <input
          ref={input}
          id="file"
          name="file"
          type="file"
          accept=".csv,text/csv,.txt,.xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
          required
          aria-describedby={message ? 'upload-error file-hint' : 'file-hint'}
          className="block w-full text-sm text-slate-900 file:mr-4 file:rounded-md file:border-0 file:bg-indigo-50 file:px-4 file:py-2 file:font-medium file:text-indigo-800 hover:file:bg-indigo-100"
        />
        <p id="file-hint" className="mt-1 text-sm text-slate-600">
          CSV or .xlsx, with a header line naming the columns. Nothing is imported yet: you will see
          a preview first.
        </p>
      </div>
      <div>
        <label htmlFor="encoding" className="mb-1 block text-sm font-medium text-slate-700">
          Encoding (CSV only)
        </label>
        <select
          ref={encoding}
          id="encoding"
          name="encoding"
          defaultValue=""
          aria-describedby="encoding-hint"
          className={`${inputClass} sm:w-auto`}
        >
          <option value="">Detect automatically</option>
          {CHOOSABLE_ENCODINGS.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
        <p id="encoding-hint" className="mt-1 text-sm text-slate-600">
          Leave it on &quot;Detect automatically&quot; unless the preview shows names garbled: then
          upload again and choose the encoding the file was saved in.
        </p>
      </div>
      {progress && (
        <ProgressBar label={progress.label} done={progress.done} total={progress.total} />
      )}
      <button type="submit" className={`${buttonClass} sm:w-auto`} disabled={busy}>
        Upload and check
      </button>
    </form>
  );
}

async function sendInChunks(
  file: File,
  encoding: string,
  report: (p: Progress) => void,
): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  const started = await post(
    `${CHUNKS_HREF}?op=start`,
    JSON.stringify({ fileName: file.name, size: bytes.byteLength }),
    'application/json',
  );
  const id = started.uploadId as string;
  const chunks = Math.ceil(bytes.byteLength / CHUNK);
  for (let index = 0; index < chunks; index++) {
    report({ label: 'Uploading', done: index * CHUNK, total: bytes.byteLength });
    await post(
      `${CHUNKS_HREF}?op=append&id=${encodeURIComponent(id)}&index=${index}`,
      bytes.subarray(index * CHUNK, (index + 1) * CHUNK),
      'application/octet-stream',
    );
  }
  report({ label: 'Checking rows', done: 0, total: null });
  const checksum = crypto.subtle ? hex(await crypto.subtle.digest('SHA-256', bytes)) : null;
  const poll = setInterval(async () => {
    const status = await fetch(statusHref(id))
      .then((r) => (r.ok ? r.json() : null))
      .catch(() => null);
    if (status) report({ label: 'Checking rows', done: status.progressRows, total: null });
  }, 700);
  try {
    await post(
      `${CHUNKS_HREF}?op=finish&id=${encodeURIComponent(id)}`,
      JSON.stringify({ checksum, encoding }),
      'application/json',
    );
  } finally {
    clearInterval(poll);
  }
  return id;
}

async function post(url: string, body: BodyInit, type: string): Promise<Record<string, unknown>> {
  const response = await fetch(url, { method: 'POST', body, headers: { 'Content-Type': type } });
  const reply = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok)
    throw new Error(
      typeof reply.error === 'string'
        ? reply.error
        : `The upload failed (${response.status}). Try again.`,
    );
  return reply;
}

const hex = (buffer: ArrayBuffer) =>
  [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, '0')).join('');
