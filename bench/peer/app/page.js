import { headers } from 'next/headers';
import { auth } from '@/lib/auth';

// Who is signed in: a hand check that a benchmark's cookies make a session.
export default async function Home() {
  const session = await auth.api.getSession({ headers: await headers() });
  return <p>{session ? `Signed in as ${session.user.email}` : 'Not signed in'}</p>;
}
