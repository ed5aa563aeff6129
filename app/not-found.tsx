// Replaces Next's built-in 404 page, whose inline <style> element carries no CSP nonce and would
// be blocked (and reported) under the policy set in proxy.ts. Also the answer a non-admin gets
// for admin pages, so it says nothing about what exists.
export default function NotFound() {
  return (
    <main className="mx-auto max-w-md px-4 py-24 text-center">
      <h1 className="mb-3 text-2xl font-semibold">Page not found</h1>
      <p className="mb-6 text-slate-700">There is nothing at this address.</p>
      {/* A plain link on purpose: this page's client references are loaded with every page, and
          next/link would add its ~3 kB (gzip) to each; going home is a full navigation anyway. */}
      {/* eslint-disable-next-line @next/next/no-html-link-for-pages */}
      <a href="/" className="font-medium text-indigo-700 underline">
        Go to the start page
      </a>
    </main>
  );
}
