'use client';

import { useActionState, useState } from 'react';
import { buttonClass, FormMessage, secondaryButtonClass } from '@/app/ui/auth-card';
import { newBackupCodesAction, type BackupCodesState } from './actions';

/** Makes a new set of backup codes and shows it once, with copy and download. */
export function BackupCodesForm({ label }: { label: string }) {
  const [state, action, pending] = useActionState(newBackupCodesAction, {} as BackupCodesState);
  const [copied, setCopied] = useState(false);
  const codes = state.codes;
  const text = codes ? `Latchkey backup codes (each works once)\n\n${codes.join('\n')}\n` : '';
  return (
    <div className="space-y-4">
      {state.error && <FormMessage>{state.error}</FormMessage>}
      {codes && (
        <div data-testid="backup-codes">
          <p className="mb-3 text-sm text-slate-700">
            Save these codes somewhere safe, apart from your password. Each works once; they are
            shown only now. Any earlier codes no longer work.
          </p>
          <ol className="mb-4 grid grid-cols-2 gap-2 font-mono text-lg">
            {codes.map((code) => (
              <li key={code} className="rounded border border-slate-200 px-3 py-1 select-all">
                {code}
              </li>
            ))}
          </ol>
          <div className="flex flex-wrap gap-3">
            <button
              type="button"
              className={secondaryButtonClass}
              onClick={() => navigator.clipboard?.writeText(text).then(() => setCopied(true))}
            >
              {copied ? 'Copied' : 'Copy codes'}
            </button>
            <a
              className={secondaryButtonClass}
              href={`data:text/plain;charset=utf-8,${encodeURIComponent(text)}`}
              download="latchkey-backup-codes.txt"
            >
              Download
            </a>
          </div>
        </div>
      )}
      {!codes && (
        <form action={action}>
          <button type="submit" className={`${buttonClass} max-w-72`} disabled={pending}>
            {label}
          </button>
        </form>
      )}
    </div>
  );
}
