'use client';

// Any unexpected failure: a plain message, never a stack trace (AV-01).
export default function ErrorPage({ reset }: { error: Error; reset: () => void }) {
  return (
    <main className="mx-auto max-w-md px-4 py-24 text-center">
      <h1 className="mb-3 text-2xl font-semibold">Try again shortly</h1>
      <p className="mb-6 text-slate-700">Something went wrong on our side. Nothing was changed.</p>
      <button
        type="button"
        onClick={reset}
        className="rounded-md bg-indigo-700 px-4 py-2 text-white"
      >
        Try again
      </button>
    </main>
  );
}
