import { UAParser } from 'ua-parser-js';

export type UserAgentSummary = { browser: string | null; os: string | null; suggestedName: string };

/** "Chrome on macOS": what a person would call this browser, parsed with ua-parser-js. */
export function describeUserAgent(userAgent: string | null | undefined): UserAgentSummary {
  const parsed = UAParser(userAgent ?? '');
  const browser = parsed.browser.name ?? null;
  const os = parsed.os.name ?? null;
  const suggestedName = browser && os ? `${browser} on ${os}` : (browser ?? os ?? 'This browser');
  return { browser, os, suggestedName };
}
