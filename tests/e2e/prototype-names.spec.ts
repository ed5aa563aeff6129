import { expect, test } from './support/test';
import { createOwnUser, signInOwnUser } from './support/own-user';

// Pages that turn a query parameter into text look it up in their own table only: a word that
// names something every JavaScript object has (constructor, __proto__, toString) must show
// nothing, never fail the page.

const NAMES = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'];

test('a page given a prototype name as its notice answers 200 and shows the page', async ({
  page,
}) => {
  for (const name of NAMES) {
    const response = await page.goto(`/login?notice=${name}`);
    expect(response?.status(), `/login?notice=${name}`).toBe(200);
    await expect(page.getByRole('button', { name: 'Sign In' })).toBeVisible();
  }

  const admin = await createOwnUser('proto-names', { role: 'admin' });
  await signInOwnUser(page, admin);
  const pages = [
    '/account/profile',
    '/account/password',
    '/account/sessions',
    '/account/trusted-devices',
    '/account/two-step',
    `/admin/users/${admin.id}`,
    '/admin/users/new',
    '/admin/users/upload',
  ];
  for (const path of pages) {
    for (const name of NAMES) {
      const url = `${path}?notice=${name}&fresh=${name}`;
      const response = await page.goto(url);
      expect(response?.status(), url).toBe(200);
      await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    }
  }
});
