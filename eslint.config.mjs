import { defineConfig, globalIgnores } from 'eslint/config';
import nextVitals from 'eslint-config-next/core-web-vitals';
import nextTs from 'eslint-config-next/typescript';

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  globalIgnores([
    '.next/**',
    'bench/peer/.next/**',
    'bench/peer/node_modules/**',
    'out/**',
    'lib/generated/**',
    '.data/**',
    'test-results/**',
    'playwright-report/**',
    'next-env.d.ts',
  ]),
  // Nothing in app/ may reach the database or Redis directly (STYLE.md rule 1).
  {
    files: ['app/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@/lib/db', '@/lib/store/*', '@prisma/*', '@upstash/*', '@/lib/generated/*'],
              message: 'Pages and actions go through lib/ (STYLE.md rule 1).',
            },
          ],
        },
      ],
    },
  },
]);
