// Each component from its own package: the @react-email/components barrel also loads the Tailwind
// compiler, Markdown and code highlighting, ~30 MB and ~0.3 s at first use for nothing we render.
import { Body } from '@react-email/body';
import { Container } from '@react-email/container';
import { Head } from '@react-email/head';
import { Heading } from '@react-email/heading';
import { Hr } from '@react-email/hr';
import { Html } from '@react-email/html';
import { Link } from '@react-email/link';
import { Preview } from '@react-email/preview';
import { Section } from '@react-email/section';
import { Text } from '@react-email/text';
import type { CSSProperties } from 'react';
import type { EmailBlock, Inline } from './email-blocks';

// The one layout of every Latchkey email. Inline styles carry the light look (most mail clients
// keep only those); the <style> element adds the dark look where the client honours
// prefers-color-scheme, and the color-scheme meta tells the others that both are fine. The
// light colours also read on a client's own dark background: nothing relies on white text.

export type EmailDocumentProps = {
  subject: string;
  /** The first words of the text, shown by inboxes beside the subject. */
  preview: string;
  blocks: EmailBlock[];
  /** Why the person got it, in the same words as the text part's last line. */
  footer: string;
};

const DARK = `
@media (prefers-color-scheme: dark) {
  .lk-body { background-color: #0f172a !important; color: #e2e8f0 !important; }
  .lk-card { background-color: #1e293b !important; border-color: #334155 !important; }
  .lk-text, .lk-fact { color: #e2e8f0 !important; }
  .lk-muted, .lk-label { color: #94a3b8 !important; }
  .lk-code { background-color: #0f172a !important; color: #f8fafc !important; border-color: #475569 !important; }
  .lk-warning { background-color: #422006 !important; color: #fde68a !important; border-color: #a16207 !important; }
  .lk-link { color: #93c5fd !important; }
}`;

const font = "-apple-system, BlinkMacSystemFont, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif";
const mono = "ui-monospace, SFMono-Regular, Menlo, Consolas, 'Liberation Mono', monospace";
const style = {
  body: { backgroundColor: '#f1f5f9', color: '#0f172a', fontFamily: font, margin: 0 },
  card: {
    backgroundColor: '#ffffff',
    border: '1px solid #cbd5e1',
    borderRadius: '8px',
    margin: '24px auto',
    maxWidth: '560px',
    padding: '24px 28px',
  },
  product: { color: '#475569', fontSize: '14px', fontWeight: 600, letterSpacing: '0.04em' },
  heading: { color: '#0f172a', fontSize: '20px', lineHeight: '28px', margin: '8px 0 16px' },
  text: { color: '#1e293b', fontSize: '15px', lineHeight: '24px', margin: '0 0 14px' },
  warning: {
    backgroundColor: '#fef3c7',
    border: '1px solid #f59e0b',
    borderRadius: '6px',
    color: '#78350f',
    fontSize: '15px',
    lineHeight: '24px',
    margin: '0 0 14px',
    padding: '10px 14px',
  },
  code: {
    backgroundColor: '#f8fafc',
    border: '1px solid #94a3b8',
    borderRadius: '6px',
    color: '#0f172a',
    fontFamily: mono,
    fontSize: '32px',
    fontWeight: 700,
    letterSpacing: '0.3em',
    lineHeight: '44px',
    margin: '0 0 18px',
    padding: '10px 16px',
    textAlign: 'center',
    // One click or tap selects the whole code, and only the code.
    userSelect: 'all',
    WebkitUserSelect: 'all',
  },
  label: { color: '#475569', fontSize: '14px', padding: '2px 12px 2px 0', verticalAlign: 'top' },
  fact: { color: '#0f172a', fontSize: '14px', padding: '2px 0', wordBreak: 'break-word' },
  link: { color: '#1d4ed8', textDecoration: 'underline', wordBreak: 'break-all' },
  footer: { color: '#475569', fontSize: '13px', lineHeight: '20px', margin: 0 },
} satisfies Record<string, CSSProperties>;

function Parts({ parts }: { parts: Inline[] }) {
  return parts.map((part, index) =>
    part.kind === 'text' ? (
      part.text
    ) : (
      <Link key={index} href={part.href} className="lk-link" style={style.link}>
        {part.href}
      </Link>
    ),
  );
}

function Block({ block }: { block: EmailBlock }) {
  switch (block.kind) {
    case 'paragraph':
      return block.warning ? (
        <Text className="lk-warning" style={style.warning}>
          <Parts parts={block.parts} />
        </Text>
      ) : (
        <Text className="lk-text" style={style.text}>
          <Parts parts={block.parts} />
        </Text>
      );
    case 'code':
      return (
        <>
          {block.lead && (
            <Text className="lk-text" style={{ ...style.text, margin: '0 0 8px' }}>
              {block.lead}
            </Text>
          )}
          <Text className="lk-code" style={style.code}>
            {block.code}
          </Text>
        </>
      );
    case 'facts':
      return (
        <table role="presentation" style={{ margin: '0 0 14px', borderCollapse: 'collapse' }}>
          <tbody>
            {block.rows.map((row, index) => (
              <tr key={index}>
                <td className="lk-label" style={style.label}>
                  {`${row.label}:`}
                </td>
                <td className="lk-fact" style={style.fact}>
                  <Parts parts={row.value} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      );
    case 'list':
      return (
        <ul className="lk-text" style={{ ...style.text, paddingLeft: '20px' }}>
          {block.items.map((item, index) => (
            <li key={index}>{item}</li>
          ))}
        </ul>
      );
    case 'link':
      return (
        <Text style={style.text}>
          <Link href={block.href} className="lk-link" style={style.link}>
            {block.href}
          </Link>
        </Text>
      );
  }
}

export function EmailDocument({ subject, preview, blocks, footer }: EmailDocumentProps) {
  return (
    <Html lang="en" dir="ltr">
      <Head>
        <meta name="color-scheme" content="light dark" />
        <meta name="supported-color-schemes" content="light dark" />
        <title>{subject}</title>
        <style>{DARK}</style>
      </Head>
      <Preview>{preview}</Preview>
      <Body className="lk-body" style={style.body}>
        <Container className="lk-card" style={style.card}>
          <Text className="lk-muted" style={{ ...style.product, margin: 0 }}>
            Latchkey
          </Text>
          <Heading as="h1" className="lk-text" style={style.heading}>
            {subject}
          </Heading>
          <Section>
            {blocks.map((block, index) => (
              <Block key={index} block={block} />
            ))}
          </Section>
          <Hr style={{ borderColor: '#cbd5e1', margin: '20px 0 12px' }} />
          <Text className="lk-muted" style={style.footer}>
            {footer}
          </Text>
        </Container>
      </Body>
    </Html>
  );
}
