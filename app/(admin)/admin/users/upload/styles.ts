// Looks of the upload pages, in the palette of app/ui/auth-card.tsx.
const focusRing =
  'focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:ring-offset-2';

export const cardClass = 'rounded-xl border border-slate-200 bg-white p-6 shadow-sm';
export const linkClass = `font-medium text-indigo-700 underline underline-offset-2 hover:text-indigo-900 ${focusRing}`;
export const cellClass = 'px-4 py-2 align-top';
export const headCellClass = 'px-4 py-2 font-medium whitespace-nowrap';

/** One fixed zone, named on screen, so times read the same for everyone. */
const dateFormat = new Intl.DateTimeFormat('en', {
  dateStyle: 'medium',
  timeStyle: 'short',
  timeZone: 'UTC',
});
export const formatWhen = (at: Date) => `${dateFormat.format(at)} UTC`;

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export const statusLabels = {
  receiving: 'Receiving',
  validated: 'Checked, not imported',
  importing: 'Importing',
  imported: 'Imported',
  rejected: 'Not imported (rows with problems)',
  failed: 'Failed',
} as const;
