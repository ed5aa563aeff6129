// Admin-area looks, in the palette of app/ui/auth-card.tsx.
const focusRing =
  'focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:ring-offset-2';

export const navLinkClass = `rounded-md px-3 py-2 text-sm font-medium text-slate-800 hover:bg-slate-100 ${focusRing}`;
export const primaryLinkClass = `inline-block rounded-md bg-indigo-700 px-4 py-2 text-sm font-medium text-white hover:bg-indigo-800 ${focusRing}`;
export const smallButtonClass = `rounded-md bg-indigo-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-800 disabled:opacity-60 ${focusRing}`;
export const dangerButtonClass = `rounded-md bg-red-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-red-800 disabled:opacity-60 ${focusRing}`;
export const cardClass = 'rounded-xl border border-slate-200 bg-white p-6 shadow-sm';
export const cellClass = 'px-4 py-3 align-top';
export const headCellClass = 'px-4 py-3 font-medium whitespace-nowrap';
export const linkClass = `font-medium text-indigo-700 underline underline-offset-2 hover:text-indigo-900 ${focusRing}`;
