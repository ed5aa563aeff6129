import { requireAdmin } from '@/lib/web/current-user';
import { requestInfoFrom } from '@/lib/web/request-info';
import { appendUploadChunk, finishUpload, startUpload } from '@/lib/uploads/receive-upload';
import { CHUNK_BYTES } from '@/lib/uploads/upload-store';
import { encodingChoice } from '@/lib/uploads/encodings';

// The chunked upload used when JavaScript is on: Vercel caps one request body at 4.5 MB, and a
// 100,000-row file is about 7 MB. `op=start` (JSON name and size) → `op=append` (raw bytes of
// chunk `index`, ≤ 1 MiB, in order) → `op=finish` (JSON checksum and the encoding chosen, if any), which runs the dry run.
// POST only; a cross-site request is refused (SE-08), beyond what SameSite=Lax cookies give.

const json = (body: unknown, status = 200) =>
  Response.json(body, { status, headers: { 'Cache-Control': 'no-store' } });

export async function POST(request: Request) {
  const admin = await requireAdmin();
  if (!sameOrigin(request)) return json({ error: 'Cross-site requests are not accepted.' }, 403);
  const url = new URL(request.url);
  const who = { adminId: admin.id, ...requestInfoFrom(request.headers) };
  const op = url.searchParams.get('op');
  const uploadId = url.searchParams.get('id') ?? '';
  if (op === 'start') {
    const body = (await request.json().catch(() => null)) as {
      fileName?: unknown;
      size?: unknown;
    } | null;
    if (typeof body?.fileName !== 'string' || typeof body.size !== 'number')
      return json({ error: 'Send the file name and size.' }, 400);
    return reply(await startUpload({ ...who, fileName: body.fileName, declaredSize: body.size }));
  }
  if (!uploadId || uploadId.length > 64) return json({ error: 'This upload was not found.' }, 404);
  if (op === 'append') {
    const declared = Number(request.headers.get('content-length') ?? 0);
    if (declared > CHUNK_BYTES) return json({ error: 'This part of the file is too large.' }, 413);
    const bytes = new Uint8Array(await request.arrayBuffer());
    return reply(
      await appendUploadChunk({
        ...who,
        uploadId,
        index: Number(url.searchParams.get('index')),
        bytes,
      }),
    );
  }
  if (op === 'finish') {
    const body = (await request.json().catch(() => null)) as {
      checksum?: unknown;
      encoding?: unknown;
    } | null;
    const checksum =
      typeof body?.checksum === 'string' && /^[0-9a-f]{64}$/i.test(body.checksum)
        ? body.checksum
        : null;
    const encoding = encodingChoice(body?.encoding);
    return reply(await finishUpload({ ...who, uploadId, checksum, encoding }));
  }
  return json({ error: 'Unknown step.' }, 400);
}

function reply(result: { ok: true; uploadId: string } | { ok: false; error: string }) {
  return result.ok ? json({ uploadId: result.uploadId }) : json({ error: result.error }, 422);
}

// The Origin a browser sends must name this host, as Next.js checks for server actions.
function sameOrigin(request: Request): boolean {
  const origin = request.headers.get('origin');
  if (!origin) return true; // not a browser's cross-site form or fetch: those always send Origin
  const host = request.headers.get('x-forwarded-host') ?? request.headers.get('host');
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}
