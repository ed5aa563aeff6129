import { pathToFileURL } from 'node:url';
import nextEnv from '@next/env';
import { PrismaPg } from '@prisma/adapter-pg';
import { hashPassword } from '../lib/auth/password';
import { canonicalUsername } from '../lib/users/username';
import { PrismaClient } from '../lib/generated/prisma/client';

// Demo accounts for development, previews and end-to-end tests. Never run against production:
// everyone knows the password. Run with the react-server condition (lib/auth/password.ts is
// server-only): `npm run db:seed`.

export const DEMO_PASSWORD = 'open-sesame-2026';

export type DemoUser = {
  username: string;
  name: string;
  email: string;
  role: 'user' | 'admin';
  /** E.164; 555-01xx numbers are reserved for fiction, so no real phone gets a code. */
  phone: string | null;
};

export const DEMO_USERS: readonly DemoUser[] = [
  {
    username: 'admin',
    name: 'Ada Admin',
    email: 'admin@example.com',
    role: 'admin',
    phone: '+14155550100',
  },
  {
    username: 'demo',
    name: 'Dana Demo',
    email: 'demo@example.com',
    role: 'user',
    phone: '+14155550101',
  },
  {
    username: 'demo-email',
    name: 'Eli Email',
    email: 'demo-email@example.com',
    role: 'user',
    phone: null,
  },
];

/**
 * Creates the demo users that are missing. An existing demo user is left as it is, so a contact
 * change made while trying the app survives the next `npm run dev`; `reset: true` restores them.
 */
export async function seedDemoUsers(
  databaseUrl: string,
  options: { reset?: boolean } = {},
): Promise<readonly DemoUser[]> {
  const db = new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl, max: 2 }) });
  try {
    for (const user of DEMO_USERS) {
      const values = {
        username: user.username,
        name: user.name,
        email: user.email,
        role: user.role,
        phone: user.phone,
        // Seeded phones count as verified: the demo must offer SMS from the first sign-in.
        phoneVerifiedAt: user.phone ? new Date() : null,
        passwordHash: await hashPassword(DEMO_PASSWORD),
        twoFactor: true,
        disabled: false,
      };
      await db.user.upsert({
        where: { usernameKey: canonicalUsername(user.username) },
        create: { ...values, usernameKey: canonicalUsername(user.username) },
        update: options.reset ? values : {},
      });
    }
    return DEMO_USERS;
  } finally {
    await db.$disconnect();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  nextEnv.loadEnvConfig(process.cwd(), process.env.NODE_ENV !== 'production');
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    console.error('DATABASE_URL is not set; `npm run dev` seeds its embedded database by itself.');
    process.exit(1);
  }
  if (process.env.NODE_ENV === 'production' && !process.argv.includes('--allow-production')) {
    console.error(
      'Refusing to seed demo users (a published password) with NODE_ENV=production; pass --allow-production for a preview.',
    );
    process.exit(1);
  }
  const users = await seedDemoUsers(databaseUrl, { reset: process.argv.includes('--reset') });
  console.log(
    `Demo users ready (password ${DEMO_PASSWORD}): ${users.map((u) => u.username).join(', ')}`,
  );
}
