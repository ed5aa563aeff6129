import { expect, test, type APIRequestContext, type Page } from './support/test';
import {
  chooseChannel,
  enterCode,
  expectNoAxeViolations,
  readCode,
  signInWithCode,
  signOut,
  submitPassword,
} from './support/sign-in';
import { sql } from './support/database';

// A person changes their own email or phone (SE-07, OTP-10); codes then go to the new destination,
// read from the database at send time. The e2e database
// is seeded afresh for each run, but demo's details are put back after each test anyway, so the
// other journeys in the same run still find demo where they expect.

const DEMO_EMAIL = 'demo@example.com';
const DEMO_PHONE = '+14155550101';

test.afterEach(async () => {
  await sql(
    `UPDATE "User" SET email = $1, phone = $2, "phoneVerifiedAt" = now() WHERE username = 'demo'`,
    [DEMO_EMAIL, DEMO_PHONE],
  );
});

/** SE-07: the code to the current email, entered on the profile page. */
async function confirmItsMe(
  page: Page,
  request: APIRequestContext,
  baseURL: string,
  options: { unlessRecent?: boolean } = {},
) {
  // The servers keep the "recent code" for 10 minutes across tests; a later test of the same user
  // may find it still there, which is the behaviour under test in the first one.
  if (options.unlessRecent && (await page.getByLabel('New email address').isVisible())) return;
  const since = new Date();
  await page.getByRole('button', { name: 'Send me a code' }).click();
  await expect(page.getByText('A security code was sent to your email address.')).toBeVisible();
  const message = await readCode(request, baseURL, { to: DEMO_EMAIL, channel: 'email', since });
  await enterCode(page, message.code);
  await expect(
    page.getByText('You can now change your email address or phone number'),
  ).toBeVisible();
}

test('SE-07 OTP-10 demo changes their email: a code to the current address first, then to the new one; the old address is told; the next sign-in’s code goes to the new address', async ({
  page,
  request,
  baseURL,
}) => {
  const newEmail = `demo-${Date.now().toString(36)}@example.net`;
  await signInWithCode(page, request, baseURL!, 'demo');
  await page.getByRole('link', { name: 'Profile' }).click();
  await expect(page.getByRole('heading', { name: 'Confirm it’s you' })).toBeVisible();
  await expectNoAxeViolations(page);
  await confirmItsMe(page, request, baseURL!);
  await expectNoAxeViolations(page);

  let since = new Date();
  await page.getByLabel('New email address').fill(newEmail);
  await page.getByRole('button', { name: 'Send a code to this address' }).click();
  await expect(page.getByRole('heading', { name: 'Confirm your new email address' })).toBeVisible();
  const message = await readCode(request, baseURL!, { to: newEmail, channel: 'email', since });
  await expect(page.getByTestId('current-email')).toHaveText(DEMO_EMAIL); // nothing changed yet
  await expectNoAxeViolations(page);

  await enterCode(page, message.code === '000000' ? '111111' : '000000');
  await expect(page.getByLabel('Security code')).toHaveAccessibleDescription(
    /That code is not right\. 4 tries left\./,
  );
  since = new Date();
  await enterCode(page, message.code);
  await expect(page.getByText('Your email address was changed.')).toBeVisible();
  await expect(page.getByTestId('current-email')).toHaveText(newEmail);

  const outbox = (await (await request.get(`${baseURL}/api/dev/outbox`)).json()) as {
    to: string;
    subject: string | null;
    sentAt: string;
  }[];
  expect(
    outbox.some(
      (m) =>
        m.to === DEMO_EMAIL &&
        m.subject === 'Your Latchkey email address was changed' &&
        new Date(m.sentAt) >= new Date(since.getTime() - 1000),
    ),
  ).toBe(true);

  await page.goto('/account');
  await signOut(page);
  since = new Date();
  await submitPassword(page, 'demo');
  await chooseChannel(page, 'Email');
  const signInCode = await readCode(request, baseURL!, { to: newEmail, channel: 'email', since });
  await enterCode(page, signInCode.code);
  await expect(page.getByTestId('signed-in-user')).toHaveText('demo');
});

test.describe('with JavaScript off', () => {
  test.use({ javaScriptEnabled: false });

  test('OTP-10 demo changes their phone (typed in national format): the code goes by SMS to the new number, and the next sign-in’s SMS too', async ({
    page,
    request,
    baseURL,
  }) => {
    await signInWithCode(page, request, baseURL!, 'demo');
    await page.goto('/account/profile');
    await confirmItsMe(page, request, baseURL!, { unlessRecent: true });

    let since = new Date();
    await page.getByLabel('New phone number').fill('(415) 555-0177');
    await page.getByRole('button', { name: 'Send a code to this number' }).click();
    await expect(page.getByText('We sent a code to +1 415 555 0177')).toBeVisible();
    const sms = await readCode(request, baseURL!, { to: '+14155550177', channel: 'sms', since });
    await enterCode(page, sms.code);
    await expect(page.getByText('Your phone number was changed and verified.')).toBeVisible();
    await expect(page.getByTestId('current-phone')).toHaveText('+1 415 555 0177');
    const [row] = (
      await sql(
        `SELECT phone, "phoneVerifiedAt" IS NOT NULL AS verified FROM "User" WHERE username = 'demo'`,
      )
    ).rows;
    expect(row).toEqual({ phone: '+14155550177', verified: true });

    await page.goto('/account');
    await signOut(page);
    since = new Date();
    await submitPassword(page, 'demo');
    await chooseChannel(page, 'SMS');
    const signInSms = await readCode(request, baseURL!, {
      to: '+14155550177',
      channel: 'sms',
      since,
    });
    await enterCode(page, signInSms.code);
    await expect(page.getByTestId('signed-in-user')).toHaveText('demo');
  });

  test('an invalid new email is refused beside its field, and what was typed stays', async ({
    page,
    request,
    baseURL,
  }) => {
    await signInWithCode(page, request, baseURL!, 'demo');
    await page.goto('/account/profile');
    await confirmItsMe(page, request, baseURL!, { unlessRecent: true });
    await page.getByLabel('New email address').fill('not an email');
    await page.getByRole('button', { name: 'Send a code to this address' }).click();
    await expect(page.getByLabel('New email address')).toHaveAccessibleDescription(
      /Enter an email address like name@example\.com\./,
    );
    await expect(page.getByLabel('New email address')).toHaveValue('not an email');
  });
});
