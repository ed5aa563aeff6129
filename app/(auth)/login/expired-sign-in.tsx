import { AuthCard, FormMessage } from '@/app/ui/auth-card';

export function ExpiredSignIn() {
  return (
    <AuthCard title="Sign-in expired">
      <FormMessage>Your sign-in has expired. Start again.</FormMessage>
      <a href="/login" className="font-medium text-indigo-700 underline">
        Start again
      </a>
    </AuthCard>
  );
}

export function Unavailable({ message }: { message: string }) {
  return (
    <AuthCard title="Try again shortly">
      <FormMessage>{message}</FormMessage>
    </AuthCard>
  );
}
