/** A moment as messages show it: "2026-11-27 23:15 UTC" (to the minute, always UTC). */
export function utcMinute(at: Date): string {
  return `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
