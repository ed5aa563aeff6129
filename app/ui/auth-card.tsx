// The frame of every sign-in step: product name, a heading, and the step's content.
export function AuthCard({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <main className="mx-auto flex min-h-[80vh] max-w-md flex-col justify-center px-4 py-12">
      <p className="mb-6 text-center text-sm font-semibold tracking-wide text-indigo-700 uppercase">
        Latchkey
      </p>
      <div className="rounded-xl border border-slate-200 bg-white p-8 shadow-sm">
        <h1 className="mb-6 text-2xl font-semibold text-slate-900">{title}</h1>
        {children}
      </div>
    </main>
  );
}

export function FormMessage({
  id,
  tone = 'error',
  children,
}: {
  id?: string;
  tone?: 'error' | 'info';
  children: React.ReactNode;
}) {
  const colours =
    tone === 'error'
      ? 'border-red-200 bg-red-50 text-red-800'
      : 'border-sky-200 bg-sky-50 text-sky-900';
  return (
    <p
      id={id}
      role={tone === 'error' ? 'alert' : 'status'}
      className={`mb-4 rounded-md border px-3 py-2 text-sm ${colours}`}
    >
      {children}
    </p>
  );
}

export const buttonClass =
  'w-full rounded-md bg-indigo-700 px-4 py-2.5 font-medium text-white hover:bg-indigo-800 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:ring-offset-2 disabled:opacity-60';
export const secondaryButtonClass =
  'rounded-md border border-slate-300 bg-white px-3 py-2 text-sm font-medium text-slate-800 hover:bg-slate-50 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500';
export const inputClass =
  'block w-full rounded-md border border-slate-300 px-3 py-2 text-slate-900 shadow-sm focus:border-indigo-600 focus:outline-none focus:ring-2 focus:ring-indigo-500/40';
