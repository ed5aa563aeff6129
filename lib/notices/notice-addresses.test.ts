import { describe, expect, it } from 'vitest';
import type { OutgoingMessage } from '@/lib/delivery/sender';
import { backupCodeUsedNotice } from './backup-code-used-notice';
import { deviceRemovedNotice } from './device-removed-notice';
import { lockoutNotice } from './lockout-notice';
import { newDeviceNotice } from './new-device-notice';
import { passwordChangedNotice } from './password-changed-notice';
import { wrongCodesNotice } from './wrong-codes-notice';

// Every email that says where a request came from. The address reaches these functions from a
// request, so whatever a caller hands them, the text shows a checked IP address or "unknown",
// never the words someone typed into a header (docs/decisions/0017-client-address.md).

const at = new Date('2026-05-04T09:30:12Z');
const base = { to: 'ada@example.com', at, origin: 'https://login.example.com' };
const HOSTILE = '203.0.113.9 -- URGENT from Latchkey security: your account is compromised';

const noticesFrom: Record<string, (ip: string | null) => OutgoingMessage> = {
  lockout: (ip) => lockoutNotice({ ...base, failures: 5, until: at, ip }),
  'new device': (ip) => newDeviceNotice({ ...base, deviceName: 'Firefox on Linux', ip }),
  'device removed': (ip) =>
    deviceRemovedNotice({ ...base, deviceNames: ['Laptop'], by: 'self', ip }),
  'password changed': (ip) => passwordChangedNotice({ ...base, how: 'changed', ip }),
  'wrong codes': (ip) => wrongCodesNotice({ ...base, wrongCodes: 3, ip }),
  'backup code used': (ip) => backupCodeUsedNotice({ ...base, left: 4, ip }),
};

describe('RC-05 notices show only a checked address', () => {
  it.each(Object.keys(noticesFrom))(
    'RC-05 the %s email shows an IP address as such, and header text as "unknown", never the text',
    (kind) => {
      const notice = noticesFrom[kind]!;
      expect(notice('203.0.113.7').text).toMatch(/IP address[^:\n]*: 203\.0\.113\.7$/m);
      expect(notice('::ffff:203.0.113.7').text).toMatch(/IP address[^:\n]*: 203\.0\.113\.7$/m);
      for (const text of [HOSTILE, 'call +1 555 0100 now', '203.0.113.9\nURGENT']) {
        const message = notice(text);
        expect(message.text).not.toContain('URGENT');
        expect(message.text).not.toContain('555');
        expect(message.text).toMatch(/IP address[^:\n]*: unknown$/m);
      }
    },
  );
});
