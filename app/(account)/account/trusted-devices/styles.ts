// Route-local looks, in the same palette as app/ui/auth-card.tsx.
const focusRing =
  'focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:ring-offset-2';

/** A <summary> that reads as a small button; the disclosure marker is hidden. */
export const disclosureClass = `inline-block cursor-pointer list-none rounded-md border border-slate-300 bg-white px-2.5 py-1 text-sm font-medium text-slate-800 hover:bg-slate-50 [&::-webkit-details-marker]:hidden ${focusRing}`;
export const smallButtonClass = `rounded-md bg-indigo-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-800 disabled:opacity-60 ${focusRing}`;
export const dangerButtonClass = `rounded-md bg-red-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-red-800 disabled:opacity-60 ${focusRing}`;
