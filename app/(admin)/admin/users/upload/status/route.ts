import { requireAdmin } from '@/lib/web/current-user';
import { getUploadProgress } from '@/lib/uploads/upload-views';

// How far the running validation or import of an upload is, for the page's progress bar.
export async function GET(request: Request) {
  await requireAdmin();
  const id = new URL(request.url).searchParams.get('id') ?? '';
  const progress = id.length > 0 && id.length <= 64 ? await getUploadProgress(id) : null;
  if (!progress) return Response.json({ error: 'not-found' }, { status: 404 });
  return Response.json(progress, { headers: { 'Cache-Control': 'no-store' } });
}
