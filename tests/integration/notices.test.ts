import { describe, expect, it } from 'vitest';
import { readNotice } from '@/app/ui/notices';
import { sessionNotices } from '@/app/(account)/account/sessions/session-notices';

// A notice word comes from the URL: only a word of the page's own table shows anything.
describe('notices carried across a redirect', () => {
  it('shows the text of a known word and nothing for anything else, inherited keys included', () => {
    expect(readNotice(sessionNotices, 'not-found')).toBe(sessionNotices['not-found']);
    for (const value of [
      'nope',
      '',
      '__proto__',
      'constructor',
      'toString',
      'hasOwnProperty',
      ['not-found'],
      42,
      null,
      undefined,
    ]) {
      expect(readNotice(sessionNotices, value), String(value)).toBeNull();
    }
  });
});
