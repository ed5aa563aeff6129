import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

export type PhoneResult = { ok: true; e164: string } | { ok: false; error: string };

/**
 * A phone number as typed, to E.164. Numbers without a country code are read in `defaultRegion`.
 * Refuses what is not a valid number for its region, saying why. The admin's form and the User
 * Upload reach it through checkPhone (user-rules.ts), which adds when a number is mandatory.
 */
export function parsePhone(input: string, defaultRegion: string): PhoneResult {
  const typed = input.trim();
  if (!typed) return { ok: false, error: 'Enter a phone number.' };
  if (typed.length > 40) return { ok: false, error: 'That is too long for a phone number.' };
  const parsed = parsePhoneNumberFromString(typed, {
    defaultCountry: defaultRegion as CountryCode,
    extract: false,
  });
  if (!parsed)
    return {
      ok: false,
      error: 'That is not a phone number. Use international format, like +1 415 555 0100.',
    };
  if (!parsed.isValid())
    return {
      ok: false,
      error: `That is not a valid phone number${parsed.country ? ` for ${parsed.country}` : ''}.`,
    };
  return { ok: true, e164: parsed.number };
}

/** How a stored E.164 number is shown: +1 415 555 0100. */
export function formatPhone(e164: string): string {
  return parsePhoneNumberFromString(e164)?.formatInternational() ?? e164;
}
