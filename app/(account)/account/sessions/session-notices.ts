// Outcomes of the sessions page's actions, carried across their redirect as a fixed word in the
// query string: the page shows only these texts, never anything taken from the URL.
export const sessionNotices = {
  'signed-out-one': { tone: 'info', text: 'That session was signed out. The browser it was on must sign in again.' },
  'signed-out-others': { tone: 'info', text: 'All your other sessions were signed out. Only this browser is still signed in.' },
  'not-found': { tone: 'error', text: 'That session was not found. It may have ended already; nothing was changed.' },
  unavailable: { tone: 'error', text: 'Your sessions cannot be changed right now. Nothing was changed; try again shortly.' },
} as const;

export type SessionNotice = keyof typeof sessionNotices;

export function readSessionNotice(value: unknown): (typeof sessionNotices)[SessionNotice] | null {
  return typeof value === 'string' && Object.hasOwn(sessionNotices, value) ? sessionNotices[value as SessionNotice] : null;
}
