// Outcomes of an action carried across its redirect as a fixed word in the query string
// (`?notice=deleted`). A page shows only the texts of its own table, never anything taken from
// the URL: an unknown or tampered word shows nothing.

export type Notice = { readonly tone: 'info' | 'error'; readonly text: string };

/** The notice a query-string word names in `table`, or null. */
export function readNotice<T extends Record<string, Notice>>(
  table: T,
  value: unknown,
): T[keyof T] | null {
  return typeof value === 'string' && Object.hasOwn(table, value) ? table[value as keyof T] : null;
}
