// The text part of an email, read as blocks for the HTML part. The text stays the one source of
// the words: every block below holds exactly the words of its lines, so the two parts cannot
// drift apart. Paragraphs are separated by blank lines; inside one, a "Label: value" line is a
// fact, a "- " line an item of a list, a line that is only a web address a link of its own, and
// a sentence that begins with "If" (what to do if it was not you) starts its own paragraph.

export type Inline = { kind: 'text'; text: string } | { kind: 'link'; href: string };

export type EmailBlock =
  | { kind: 'paragraph'; parts: Inline[]; warning: boolean }
  | { kind: 'code'; lead: string; code: string }
  | { kind: 'facts'; rows: { label: string; value: Inline[] }[] }
  | { kind: 'list'; items: string[] }
  | { kind: 'link'; href: string };

const URL_PATTERN = /https?:\/\/[^\s<>"]+[^\s<>".,:;!?)]/g;
const ONLY_URL = /^https?:\/\/\S+$/;
// A short label (letters and spaces, capitalised) before ": ". Long sentences with a colon in
// the middle stay sentences.
const FACT = /^([A-Z][A-Za-z ]{0,38}[A-Za-z]): (.+)$/;

/**
 * Only addresses on the app's own origin become links. Text a person typed reaches these emails
 * (a device's name, a name from an upload): someone holding an account could name a browser
 * "Undo this: https://evil.example", and the owner's genuine security alert would then carry a
 * clickable link to it (found in review). Other addresses stay words.
 */
function isOwnLink(href: string, origin: string | undefined): boolean {
  if (!origin) return false;
  try {
    return new URL(href).origin === new URL(origin).origin;
  } catch {
    return false;
  }
}

/** Text with the app's own web addresses as links (`origin`: the app's), as they appear in it. */
export function inlineParts(text: string, origin?: string): Inline[] {
  const parts: Inline[] = [];
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    if (!isOwnLink(match[0], origin)) continue;
    if (match.index > last) parts.push({ kind: 'text', text: text.slice(last, match.index) });
    parts.push({ kind: 'link', href: match[0] });
    last = match.index + match[0].length;
  }
  if (last < text.length) parts.push({ kind: 'text', text: text.slice(last) });
  // Adjacent words (an address left as text between two others) read as one part.
  return parts.reduce<Inline[]>((joined, part) => {
    const previous = joined[joined.length - 1];
    if (part.kind === 'text' && previous?.kind === 'text') previous.text += part.text;
    else joined.push(part);
    return joined;
  }, []);
}

/**
 * The blocks of `text`; `code`, when given, is lifted out of the line that carries it. Addresses
 * on `origin` (the app's) become links; others stay text.
 */
export function emailBlocks(text: string, code?: string, origin?: string): EmailBlock[] {
  const blocks: EmailBlock[] = [];
  let sentence: string[] = [];
  const endSentence = () => {
    if (sentence.length === 0) return;
    const joined = sentence.join(' ');
    blocks.push({
      kind: 'paragraph',
      parts: inlineParts(joined, origin),
      warning: /^If /.test(joined),
    });
    sentence = [];
  };
  const last = () => blocks[blocks.length - 1];
  let lifted = false;

  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    const fact = FACT.exec(trimmed);
    if (trimmed === '') endSentence();
    else if (code && !lifted && trimmed.includes(code)) {
      endSentence();
      lifted = true;
      const at = trimmed.indexOf(code);
      blocks.push({ kind: 'code', lead: trimmed.slice(0, at).trim(), code });
      const rest = trimmed.slice(at + code.length).trim();
      if (rest) sentence.push(rest);
    } else if (trimmed.startsWith('- ')) {
      endSentence();
      const list = last();
      if (list?.kind === 'list') list.items.push(trimmed.slice(2));
      else blocks.push({ kind: 'list', items: [trimmed.slice(2)] });
    } else if (ONLY_URL.test(trimmed) && isOwnLink(trimmed, origin)) {
      endSentence();
      blocks.push({ kind: 'link', href: trimmed });
    } else if (fact && !fact[2]!.startsWith('//')) {
      endSentence();
      const row = { label: fact[1]!, value: inlineParts(fact[2]!, origin) };
      const facts = last();
      if (facts?.kind === 'facts') facts.rows.push(row);
      else blocks.push({ kind: 'facts', rows: [row] });
    } else {
      if (/^If /.test(trimmed)) endSentence();
      sentence.push(trimmed);
    }
  }
  endSentence();
  return blocks;
}
