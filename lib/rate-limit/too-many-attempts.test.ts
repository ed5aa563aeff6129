import { describe, expect, it } from 'vitest';
import { describeWait, tooManyAttemptsMessage, tooManyRequestsResponse } from './too-many-attempts';

describe('telling a limited person when to try again', () => {
  it('says it in words, rounded up so the person never comes back too early', () => {
    expect(tooManyAttemptsMessage(150)).toBe('Too many attempts. Try again in 3 minutes.');
    expect([1, 45, 60, 61, 5_400, 5_401, 86_400].map(describeWait)).toEqual([
      '1 second',
      '45 seconds',
      '1 minute',
      '2 minutes',
      '90 minutes',
      '2 hours',
      '24 hours',
    ]);
    expect(describeWait(0)).toBe('1 second');
  });

  it('route handlers answer HTTP 429 with Retry-After in whole seconds', async () => {
    const response = tooManyRequestsResponse(179.2);
    expect(response.status).toBe(429);
    expect(response.headers.get('Retry-After')).toBe('180');
    expect(await response.json()).toEqual({ error: 'Too many attempts. Try again in 3 minutes.' });
  });
});
