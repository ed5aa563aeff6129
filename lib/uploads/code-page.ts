import iconv from 'iconv-lite';

// Which single-byte code page a CSV that is not UTF-8 is in (docs/decisions/0023): Windows-1252
// (Excel's "CSV" on a western Windows), Windows-1250 (central Europe) or Windows-1251 (Cyrillic).
// A charset detector was tried first (chardet 2.2.0) and read short Cyrillic and Polish samples
// as ISO-8859-1; names in a user list are short. So the guess is a rule about words instead:
// each code page's reading of the sample is scored word by word, where a word is what lies
// between spaces, the CSV's separators and ASCII punctuation. A reading gains a point per letter
// beyond ASCII in a plausible word and loses points for
// - a symbol inside a word ("£ukasz", "Pawe³": Polish in Windows-1252),
// - a Latin word made only of letters beyond ASCII ("Èâàí": Russian in Windows-1252), or a word
//   that mixes Cyrillic and Latin letters ("Mьller": German in Windows-1251),
// - a byte the code page does not define (ruled out).
// Windows-1250 and 1251 must score at least zero to be chosen; Windows-1252 is read whatever its
// score, as before this guess.
// The best reading wins. When two readings differ but score alike (Czech "Jiří Škoda" is
// "Jiøí Škoda" in Windows-1252, every character a letter), the guess is marked uncertain: the
// report says so and the admin can choose the encoding on the upload form. A tie of Windows-1252
// and 1250 counts as uncertain only when the sample has š or ž (see guessCodePage): otherwise
// every French or Spanish file would be called a guess.

export type CodePage = 'Windows-1252' | 'Windows-1250' | 'Windows-1251' | 'MacRoman';

/** iconv-lite's name of each code page. */
export const ICONV_NAMES: Record<CodePage, string> = {
  'Windows-1252': 'windows-1252',
  'Windows-1250': 'windows-1250',
  'Windows-1251': 'windows-1251',
  MacRoman: 'macintosh',
};

/** Detected among these, in this order of preference on a tie. MacRoman only when chosen. */
const CANDIDATES: CodePage[] = ['Windows-1252', 'Windows-1250', 'Windows-1251'];

/** What separates words: spaces, CSV separators, ASCII punctuation and digits, typographic punctuation. */
const SEPARATORS =
  /[\s,;"'()[\]{}/\\|.@:+\-_0-9!?<>=*&%$#^~`\u00a0\u00ab\u00bb\u2010-\u2027\u2039\u203a]+/u;

const LETTER = /\p{L}/u;
const CYRILLIC = /\p{Script=Cyrillic}/u;
const ASCII_LETTER = /[A-Za-z]/;

/** The reading's score; -Infinity when the code page leaves one of the bytes undefined. */
export function scoreReading(text: string, cyrillic: boolean): number {
  if (text.includes('\uFFFD')) return -Infinity;
  let score = 0;
  for (const word of text.split(SEPARATORS)) {
    let beyond = 0;
    let symbols = 0;
    let ascii = 0;
    let cyrillicLetters = 0;
    for (const char of word) {
      if (char.charCodeAt(0) < 0x80) {
        if (ASCII_LETTER.test(char)) ascii++;
      } else if (LETTER.test(char)) {
        beyond++;
        if (CYRILLIC.test(char)) cyrillicLetters++;
      } else symbols++;
    }
    if (beyond + symbols === 0) continue;
    score -= 2 * symbols;
    if (cyrillic) score += cyrillicLetters > 0 && ascii > 0 ? -beyond : beyond;
    else score += ascii === 0 && beyond >= 2 ? -beyond : beyond;
  }
  return score;
}

export type CodePageGuess = { codePage: CodePage | null; certain: boolean };

/**
 * The code page `sample` (bytes from the first one beyond ASCII on) most likely is in; null
 * when every candidate leaves a byte of it undefined.
 */
export function guessCodePage(sample: Buffer): CodePageGuess {
  const readings = CANDIDATES.map((codePage) => {
    const text = iconv.decode(sample, ICONV_NAMES[codePage]);
    const score = scoreReading(text, codePage === 'Windows-1251');
    // Windows-1252, what Excel writes on most machines, is read whatever its score (a "£" in a
    // note scores below zero); another code page only when its reading makes words.
    return { codePage, text, score: score < 0 && codePage !== 'Windows-1252' ? -Infinity : score };
  });
  // Stable sort: on a tie the earlier candidate stays first.
  const ranked = [...readings].sort((a, b) => b.score - a.score);
  const [best, next] = ranked as [(typeof readings)[0], (typeof readings)[0]];
  if (best.score === -Infinity) return { codePage: null, certain: true };
  const certain =
    next.score === -Infinity ||
    next.text === best.text ||
    (best.score > 0 && best.score - next.score >= Math.max(2, Math.abs(best.score) / 4)) ||
    // A tie of two Latin readings: French "è", Spanish "ñ" are Czech "č", Polish "ń" in
    // Windows-1250. Western names rarely have š or ž (the same bytes in both); Czech, Slovak,
    // Slovene and Croatian ones often do. Without them, Windows-1252 is taken as certain.
    (best.codePage === 'Windows-1252' && next.codePage === 'Windows-1250' && !hasSOrZCaron(sample));
  return { codePage: best.codePage, certain };
}

/** Š, š, Ž, ž: bytes 0x8A, 0x9A, 0x8E, 0x9E in both Windows-1250 and 1252. */
const hasSOrZCaron = (sample: Buffer) =>
  sample.includes(0x8a) || sample.includes(0x9a) || sample.includes(0x8e) || sample.includes(0x9e);
