import { toNextJsHandler } from 'better-auth/next-js';
import { auth } from '@/lib/auth';

// Every Better Auth endpoint: POST /api/auth/sign-in/email, POST /api/auth/two-factor/verify-otp, …
export const { GET, POST } = toNextJsHandler(auth);
