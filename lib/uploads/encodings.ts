// The text encodings a CSV User Upload may be read in (decode-text.ts), and the choice the
// upload form offers. No imports: the upload form (a client component) uses the list.

export type TextEncoding =
  | 'UTF-8'
  | 'UTF-8 with BOM'
  | 'UTF-16 LE'
  | 'UTF-16 BE'
  | 'Windows-1252'
  | 'Windows-1250'
  | 'Windows-1251'
  | 'MacRoman';

/** The encodings the upload form offers, in its order. */
export const CHOOSABLE_ENCODINGS: readonly TextEncoding[] = [
  'UTF-8',
  'UTF-16 LE',
  'UTF-16 BE',
  'Windows-1252',
  'Windows-1250',
  'Windows-1251',
  'MacRoman',
];

/** The upload form's encoding field: an encoding it offers, or undefined for "detect". */
export function encodingChoice(value: unknown): TextEncoding | undefined {
  return CHOOSABLE_ENCODINGS.find((encoding) => encoding === value);
}
