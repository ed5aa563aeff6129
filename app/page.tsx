import { redirect } from 'next/navigation';
import { getCurrentUser } from '@/lib/web/current-user';

export default async function Home() {
  redirect((await getCurrentUser().catch(() => null)) ? '/account' : '/login');
}
