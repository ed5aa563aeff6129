'use server';

import { revalidatePath } from 'next/cache';
import { redirect, unstable_rethrow } from 'next/navigation';
import { z } from 'zod';
import { requireAdmin } from '@/lib/web/current-user';
import { getRequestInfo } from '@/lib/web/request-info';
import type { FormState } from '@/lib/auth/form-state';
import { getAccountSecurityDeps } from '@/lib/web/wiring';
import { importUploadAsAdmin } from '@/lib/admin/admin-fresh-code';
import { uploadWholeFile } from '@/lib/uploads/receive-upload';
import { encodingChoice } from '@/lib/uploads/encodings';
import { sendPendingInvitations } from '@/lib/uploads/upload-views';
import { NO_SCRIPT_MAX_BYTES, uploadPage } from './upload-paths';

// The forms of the User Upload page. Each works without JavaScript; with it, the browser sends
// big files in chunks to ./chunks instead of `uploadFileAction`.

const UNAVAILABLE =
  'The upload could not be processed right now. Nothing was imported; try again shortly.';
const NOT_FRESH =
  'Confirm it’s you first: importing needs a code sent to your email, entered in the last few minutes. Use “Confirm it’s you” above. Nothing was imported.';
/** Invitations sent right after an import; the rest wait for "Send pending invitations". */
const INVITES_PER_REQUEST = 200;

export async function uploadFileAction(_prev: FormState, formData: FormData): Promise<FormState> {
  const admin = await requireAdmin();
  const file = formData.get('file');
  if (!(file instanceof File) || file.size === 0) return { error: 'Choose a CSV file to upload.' };
  if (file.size > NO_SCRIPT_MAX_BYTES)
    return {
      error: `Without JavaScript, files up to ${NO_SCRIPT_MAX_BYTES / 1024 / 1024} MB can be uploaded. Turn JavaScript on for larger files.`,
    };
  let uploadId: string;
  try {
    const result = await uploadWholeFile({
      adminId: admin.id,
      fileName: file.name,
      bytes: new Uint8Array(await file.arrayBuffer()),
      encoding: encodingChoice(formData.get('encoding')),
      ...(await getRequestInfo()),
    });
    if (!result.ok) return { error: result.error };
    uploadId = result.uploadId;
  } catch (error) {
    unstable_rethrow(error);
    console.error('user upload: upload failed', error);
    return { error: UNAVAILABLE };
  }
  redirect(uploadPage(uploadId));
}

const importForm = z.object({
  uploadId: z.string().min(1).max(64),
  mode: z.enum(['valid-rows', 'all-or-nothing']),
  existing: z.enum(['skip', 'update']),
});

export async function importAction(_prev: FormState, formData: FormData): Promise<FormState> {
  const admin = await requireAdmin();
  const form = importForm.safeParse({
    uploadId: formData.get('uploadId'),
    mode: formData.get('mode'),
    existing: formData.get('existing'),
  });
  if (!form.success)
    return { error: 'Choose how to import: which rows, and what to do with existing users.' };
  try {
    const gated = await importUploadAsAdmin(getAccountSecurityDeps(), {
      uploadId: form.data.uploadId,
      adminId: admin.id,
      allOrNothing: form.data.mode === 'all-or-nothing',
      existingMode: form.data.existing,
      ...(await getRequestInfo()),
    });
    if (!gated.ok) return { error: NOT_FRESH };
    const result = gated.value;
    if (!result.ok) return { error: result.error };
    if (result.created > 0)
      await sendPendingInvitations(form.data.uploadId, {
        actorId: admin.id,
        limit: INVITES_PER_REQUEST,
      });
  } catch (error) {
    unstable_rethrow(error);
    console.error('user upload: import failed', error);
    return {
      error:
        'The import stopped on an unexpected error. The upload history shows what was imported.',
    };
  }
  redirect(uploadPage(form.data.uploadId));
}

export async function sendInvitationsAction(
  _prev: FormState,
  formData: FormData,
): Promise<FormState> {
  const admin = await requireAdmin();
  const uploadId = z.string().min(1).max(64).safeParse(formData.get('uploadId'));
  if (!uploadId.success) return { error: 'This upload was not found.' };
  try {
    const result = await sendPendingInvitations(uploadId.data, {
      actorId: admin.id,
      limit: INVITES_PER_REQUEST,
    });
    revalidatePath('/admin/users/upload');
    if (result.failed.length)
      return {
        error: `${invitations(result.failed.length)} could not be sent (${result.failed[0]!.error}). ${result.failed.length === 1 ? 'It stays' : 'They stay'} pending; try again later.`,
      };
    return { info: `${invitations(result.sent)} sent.` };
  } catch (error) {
    unstable_rethrow(error);
    console.error('user upload: sending invitations failed', error);
    return {
      error: 'Invitations could not be sent right now. They stay pending; try again shortly.',
    };
  }
}

const invitations = (n: number) => `${n.toLocaleString('en')} invitation${n === 1 ? '' : 's'}`;
