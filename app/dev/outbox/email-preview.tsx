import { headers } from 'next/headers';

// An email's HTML part as a person's mail client would show it, without letting it do anything
// here. The iframe is fully sandboxed (no scripts, no same-origin, no forms, no popups) and gets
// the document through srcdoc, so nothing is fetched. A srcdoc document inherits this page's
// Content-Security-Policy: its <style> (the dark-mode rules) must carry this response's nonce,
// or the browser refuses it and says so in the console. Style attributes are allowed by the
// policy as they are. The nonce is per response and the sandbox runs no script, so handing it to
// our own rendered email gives nothing away.

async function styleNonce(): Promise<string | null> {
  const policy = (await headers()).get('content-security-policy') ?? '';
  return /'nonce-([A-Za-z0-9+/=]+)'/.exec(policy)?.[1] ?? null;
}

export async function EmailPreview({ html, subject }: { html: string; subject: string | null }) {
  const nonce = await styleNonce();
  const document = nonce ? html.replace(/<style(?=[\s>])/g, `<style nonce="${nonce}"`) : html;
  return (
    <iframe
      sandbox=""
      srcDoc={document}
      title={`HTML part of the email${subject ? `: ${subject}` : ''}`}
      data-testid="email-html"
      className="mt-3 h-[30rem] w-full rounded-md border border-slate-200 bg-white"
    />
  );
}
