import { describe, expect, it } from 'vitest';
import { composeCodeMessage } from '@/lib/challenges/code-message';
import type { OutgoingMessage } from '@/lib/delivery/sender';
import { backupCodeUsedNotice } from '@/lib/notices/backup-code-used-notice';
import { contactChangedByUploadNotice } from '@/lib/notices/contact-changed-by-upload-notice';
import { contactChangedNotice } from '@/lib/notices/contact-changed-notice';
import { deviceRemovedNotice } from '@/lib/notices/device-removed-notice';
import { invitationNotice } from '@/lib/notices/invitation-notice';
import { lockoutNotice } from '@/lib/notices/lockout-notice';
import { newDeviceNotice } from '@/lib/notices/new-device-notice';
import { passwordChangedNotice } from '@/lib/notices/password-changed-notice';
import { passwordResetLinkNotice } from '@/lib/notices/password-reset-link-notice';
import { twoFactorChangedNotice } from '@/lib/notices/two-factor-changed-notice';
import { twoStepMethodChangedNotice } from '@/lib/notices/two-step-method-changed-notice';
import { wrongCodesNotice } from '@/lib/notices/wrong-codes-notice';
import { naughtyStrings } from '../../tests/support/naughty-strings';
import { emailFooter, withEmailParts } from './email-parts';

const origin = 'https://login.example.com';
const at = new Date('2026-12-02T18:40:00Z');
const to = 'ada@example.com';
// Markup a person might type as a name, our own few; and, where the test data folder is present
// (CI), every string of the Big List of Naughty Strings that holds markup characters and no
// control characters.
const naughty: string[] = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "' onmouseover='alert(1)",
  'Tom & Jerry <tom@example.com>',
  '&lt;b&gt;not bold&lt;/b&gt;',
  '<a href="javascript:alert(1)">click</a>',
  ...naughtyStrings().filter((s) => /[<>&"']/.test(s) && !/[\u0000-\u001f\u007f]/.test(s)),
];

// The elements the layout itself writes. Anything else in a rendered email came from the words.
const LAYOUT_TAGS = new Set(
  'html head meta title style body div table tbody tr td p h1 a hr ul li'.split(' '),
);
const tagsOf = (html: string) =>
  new Set([...html.matchAll(/<([a-zA-Z][\w-]*)/g)].map((m) => m[1]!));

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#x27': "'" };
/** What a reader sees in the HTML part: tags, the head and the hidden inbox preview left out. */
function visibleText(html: string): string {
  return html
    .replace(/<head>.*<\/head>/s, '')
    .replace(/<div style="display:none[^"]*"[^>]*>.*?<\/div><\/div>/s, '')
    .replace(/<\/?a(?:\s[^>]*)?>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&(amp|lt|gt|quot|#x27);/g, (_, name: string) => ENTITIES[name]!)
    .replace(/\s+/g, ' ')
    .trim();
}
const words = (text: string) =>
  text
    .split('\n')
    .map((line) => line.replace(/^- /, ''))
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();

const code = composeCodeMessage({ channel: 'email', to, code: '012345', ttlSeconds: 600, origin });
const every: [string, OutgoingMessage][] = [
  ['code', code],
  ['new device', newDeviceNotice({ to, deviceName: 'Work laptop', at, ip: '203.0.113.9', origin })],
  [
    'device removed',
    deviceRemovedNotice({ to, deviceNames: ['A', 'B'], by: 'self', at, ip: null, origin }),
  ],
  ['lockout', lockoutNotice({ to, failures: 5, at, until: at, ip: '203.0.113.9', origin })],
  ['wrong codes', wrongCodesNotice({ to, wrongCodes: 5, at, ip: null, origin })],
  ['password changed', passwordChangedNotice({ to, how: 'reset', at, ip: null, origin })],
  [
    'reset link',
    passwordResetLinkNotice({
      to,
      username: 'ada',
      link: `${origin}/reset?token=t`,
      expiresAt: at,
    }),
  ],
  [
    'contact changed',
    contactChangedNotice({
      to,
      change: { email: { to: 'grace@example.org' }, phone: { to: '+14155550123' } },
      at,
      by: 'admin',
      origin,
    }),
  ],
  [
    'contact changed by upload',
    contactChangedByUploadNotice({
      to,
      username: 'ada',
      phoneChanged: true,
      emailChanged: false,
      at,
    }),
  ],
  ['two-factor changed', twoFactorChangedNotice({ to, enabled: false, at, origin })],
  [
    'two-step method changed',
    twoStepMethodChangedNotice({ to, method: 'passkey', change: 'added', at, origin }),
  ],
  ['backup code used', backupCodeUsedNotice({ to, left: 1, at, ip: null, origin })],
  [
    'invitation',
    invitationNotice({ to, username: 'ada', name: 'Ada', link: `${origin}/i?t=x`, expiresAt: at }),
  ],
];

describe('every email has an HTML part and a text part with the same words', () => {
  it.each(every)('%s', async (_, message) => {
    const sent = await withEmailParts(message);
    expect(sent.text).toBe(`${message.text}\n\n${emailFooter(to)}`);
    const html = sent.html!;
    expect(html).toMatch(/^<!DOCTYPE html/);
    expect(html).toContain('<meta name="color-scheme" content="light dark"/>');
    expect(html).toContain('@media (prefers-color-scheme: dark)');
    expect([...tagsOf(html)].filter((tag) => !LAYOUT_TAGS.has(tag))).toEqual([]);
    // Product name and subject head the HTML; below them, word for word, the text part.
    expect(visibleText(html)).toBe(`Latchkey ${message.subject} ${words(sent.text)}`);
    // Why they got it (the footer), and what to do if it was not them (a line that starts "If").
    expect(html).toContain('because it is the address of a Latchkey account');
    expect(html).toMatch(/class="lk-warning"[^>]*>If /);
    // Not pretty-printed: one line, no indentation added by a formatter.
    expect(html.split('\n').length).toBeLessThan(15);
  });
});

describe('the code email', () => {
  it('OTP-01 shows the code on its own, large, monospaced and selectable in one click, leading zero kept', async () => {
    const { html } = await withEmailParts(code);
    const element = /<p class="lk-code" style="([^"]*)">012345<\/p>/.exec(html!);
    expect(element).not.toBeNull();
    expect(element![1]).toContain('font-size:32px');
    expect(element![1]).toMatch(/font-family:ui-monospace,.*, monospace;/);
    expect(element![1]).toContain('user-select:all');
    expect(html).toContain('Your Latchkey security code is:</p>');
  });

  it('SMS and voice wording is untouched: no HTML, no footer, the WebOTP line stays last', async () => {
    for (const channel of ['sms', 'voice'] as const) {
      const message = composeCodeMessage({
        channel,
        to: '+14155550123',
        code: '012345',
        ttlSeconds: 600,
        origin,
      });
      expect(await withEmailParts(message)).toBe(message);
    }
    const sms = composeCodeMessage({
      channel: 'sms',
      to: '+14155550123',
      code: '012345',
      ttlSeconds: 600,
      origin,
    });
    expect((await withEmailParts(sms)).text.split('\n').at(-1)).toBe('@login.example.com #012345');
  });
});

describe('destinations', () => {
  it('the masked new destination shows as in the text, and the footer masks the recipient', async () => {
    const { html } = await withEmailParts(every.find(([name]) => name === 'contact changed')![1]);
    expect(html).toContain('now g•••@example.org');
    expect(html).toContain('now •••• •••• 0123');
    expect(html).not.toContain('grace@example.org');
    expect(html).not.toContain('+14155550123');
    expect(html).toContain('sent this email to a•••@example.com');
    expect(html).not.toContain(to);
  });
});

describe('user-typed text is shown as text in the HTML part', () => {
  it('TD-07 device names from the naughty strings list, on a new-device and a removal notice', async () => {
    for (const name of naughty) {
      for (const message of [
        newDeviceNotice({ to, deviceName: name, at, ip: null, origin }),
        deviceRemovedNotice({ to, deviceNames: [name, 'x'], by: 'admin', at, ip: null, origin }),
      ]) {
        const { html, text } = await withEmailParts(message);
        expect(
          [...tagsOf(html!)].filter((tag) => !LAYOUT_TAGS.has(tag)),
          name,
        ).toEqual([]);
        expect(visibleText(html!), name).toContain(name.replace(/\s+/g, ' ').trim());
        expect(text).toContain(name);
      }
    }
  });

  it('CSV-03 names and usernames from an upload, on the invitation', async () => {
    for (const name of naughty) {
      const message = invitationNotice({
        to,
        username: name,
        name,
        link: `${origin}/i?t=x`,
        expiresAt: at,
      });
      const { html } = await withEmailParts(message);
      expect(
        [...tagsOf(html!)].filter((tag) => !LAYOUT_TAGS.has(tag)),
        name,
      ).toEqual([]);
      expect(visibleText(html!), name).toContain(`Hello ${name.replace(/\s+/g, ' ').trim()},`);
    }
  });

  it('a device name cannot open an attribute or a link that is not http(s)', async () => {
    const name =
      '"><img src=x onerror=alert(1)> javascript:alert(1) https://x.test/"onmouseover="y';
    const { html } = await withEmailParts(
      newDeviceNotice({ to, deviceName: name, at, ip: null, origin }),
    );
    expect(html).not.toContain('<img');
    expect(html).not.toMatch(/\son\w+="/);
    expect(html).not.toContain('href="javascript:');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });
  it("only addresses on the app's own origin are links: one a person typed stays words", async () => {
    const evil = 'https://evil.example/secure';
    const { html } = await withEmailParts(
      newDeviceNotice({ to, deviceName: `Undo this: ${evil}`, at, ip: null, origin }),
      origin,
    );
    expect(visibleText(html!)).toContain(evil);
    expect(html).not.toContain(`href="${evil}`);
    const own = await withEmailParts(
      { channel: 'email', to, subject: 'Link', text: `Open ${origin}/reset-password?t=1 now.` },
      origin,
    );
    expect(own.html).toContain(`href="${origin}/reset-password?t=1"`);
  });
});
