import { redirect } from 'next/navigation';
import { env } from '@/lib/env';

// The baseline of bench/page-weight.ts: a page of the same build (root layout included) with
// nothing of its own, so a sign-in page's JavaScript beyond it is that page's. Without
// BENCH_ROUTES=1 it sends visitors to the start page. (Not notFound(): that would make the
// not-found page's client code part of this page and inflate the baseline.)

export default function BlankPage() {
  if (!env.BENCH_ROUTES) redirect('/');
  return (
    <main>
      <p>Blank</p>
    </main>
  );
}
