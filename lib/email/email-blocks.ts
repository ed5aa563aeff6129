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

/** Text with its web addresses as links: only http(s) addresses, as they appear in the text. */
export function inlineParts(text: string): Inline[] {
  const parts: Inline[] = [];
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    if (match.index > last) parts.push({ kind: 'text', text: text.slice(last, match.index) });
    parts.push({ kind: 'link', href: match[0] });
    last = match.index + match[0].length;
  }
  if (last < text.length) parts.push({ kind: 'text', text: text.slice(last) });
  return parts;
}

/** The blocks of `text`; `code`, when given, is lifted out of the line that carries it. */
export function emailBlocks(text: string, code?: string): EmailBlock[] {
  const blocks: EmailBlock[] = [];
  let sentence: string[] = [];
  const endSentence = () => {
    if (sentence.length === 0) return;
    const joined = sentence.join(' ');
    blocks.push({ kind: 'paragraph', parts: inlineParts(joined), warning: /^If /.test(joined) });
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
    } else if (ONLY_URL.test(trimmed)) {
      endSentence();
      blocks.push({ kind: 'link', href: trimmed });
    } else if (fact && !fact[2]!.startsWith('//')) {
      endSentence();
      const row = { label: fact[1]!, value: inlineParts(fact[2]!) };
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
