import { redirect } from 'next/navigation';
import { requireAdmin } from '@/lib/web/current-user';

// Checked before redirecting, so a non-admin gets "not found" at /admin itself, not a redirect
// that tells them an admin area exists.
export default async function AdminHome() {
  await requireAdmin();
  redirect('/admin/users');
}
