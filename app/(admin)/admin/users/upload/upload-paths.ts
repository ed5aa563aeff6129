// Addresses and limits shared by the upload page, its client component and its route handlers.

export const uploadPage = (uploadId: string) =>
  `/admin/users/upload?id=${encodeURIComponent(uploadId)}`;
export const reportHref = (uploadId: string) =>
  `/admin/users/upload/report?id=${encodeURIComponent(uploadId)}`;
export const statusHref = (uploadId: string) =>
  `/admin/users/upload/status?id=${encodeURIComponent(uploadId)}`;
export const CHUNKS_HREF = '/admin/users/upload/chunks';

/**
 * Largest file the plain form (no JavaScript) takes in one post: under Vercel's 4.5 MB request
 * cap and next.config.ts's server action body limit. With JavaScript any size up to
 * UPLOAD_MAX_BYTES goes in chunks.
 */
export const NO_SCRIPT_MAX_BYTES = 4 * 1024 * 1024;
