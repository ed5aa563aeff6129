import { format, getFormatInfo, isDateFormat } from 'numfmt';

// A workbook cell's value as the text the admin sees in Excel (docs/decisions/0023), for the
// columns an upload has: a number in its cell's number format (a phone or username typed as a
// number with the format "00000" is "00123", as Excel shows it; numfmt renders the format), but
// never in exponent form (4915112345678 in "General", which Excel may show as 4.91512E+12, is
// the phone 4915112345678); dates as ISO 8601, a time of day alone (a format without a date,
// "h:mm", "mm:ss") as Excel shows it.

/** Integers without exponent up to 1e21 (phone numbers have at most 15 digits). */
export function numberText(value: number): string {
  if (!Number.isFinite(value)) return '';
  if (Number.isInteger(value) && Math.abs(value) < 1e21) return value.toFixed(0);
  return String(value);
}

/** Whether a format code shows numbers in exponent form (outside quoted text). */
const hasExponent = (code: string) => /E[+-]/i.test(code.replace(/"[^"]*"|\\./g, ''));

/** Renderers by date system and format code: a date's text depends on both. */
const cache = new Map<string, (value: number) => string>();

/** The text of number `value` in format `code`; `date1904`: the workbook's date system. */
export function formattedNumber(value: number, code: string, date1904: boolean): string {
  const key = `${date1904 ? 1 : 0}|${code}`;
  let render = cache.get(key);
  if (!render) {
    render = renderer(code, date1904);
    if (cache.size < 1000) cache.set(key, render);
  }
  return render(value);
}

function renderer(code: string, date1904: boolean): (value: number) => string {
  const plain = code.trim().toLowerCase();
  if (plain === '' || plain === 'general' || plain === '@' || hasExponent(code)) return numberText;
  try {
    // A time of day alone has no date to write in ISO 8601 (it would be 1899-12-30T…).
    if (isDateFormat(code) && getFormatInfo(code).type !== 'time')
      return (value) => serialDate(value, date1904);
    format(code, 0); // a code numfmt cannot parse throws here, once
  } catch {
    return numberText;
  }
  return (value) => {
    try {
      return format(code, value, { nbsp: false });
    } catch {
      return numberText(value);
    }
  };
}

/** Excel's serial day as ISO 8601: the date alone when it has no time of day. */
export function serialDate(serial: number, date1904: boolean): string {
  if (!Number.isFinite(serial)) return '';
  // Day 0 is 1899-12-30 in the 1900 system (which counts a 29 February 1900 that never was;
  // dates after it, all an upload needs, line up), 1904-01-01 in the 1904 system.
  const epoch = date1904 ? Date.UTC(1904, 0, 1) : Date.UTC(1899, 11, 30);
  const date = new Date(epoch + Math.round(serial * 86_400_000));
  if (Number.isNaN(date.getTime())) return '';
  const iso = date.toISOString();
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso.replace(/\.\d{3}Z$/, 'Z');
}
