// One fixed zone, named on screen, so a time reads the same for every admin and in tests.
const dateFormat = new Intl.DateTimeFormat('en', {
  dateStyle: 'medium',
  timeStyle: 'short',
  timeZone: 'UTC',
});

export function When({ at, never = 'Never' }: { at: Date | null; never?: string }) {
  if (!at) return <>{never}</>;
  return <time dateTime={at.toISOString()}>{dateFormat.format(at)} UTC</time>;
}
