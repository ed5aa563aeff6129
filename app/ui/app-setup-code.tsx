import type { AppSetup } from '@/lib/factors/authenticator-app';

/** The QR code (server-rendered SVG) and the key to type, for adding Latchkey to an app. */
export function AppSetupCode({ setup, centered = false }: { setup: AppSetup; centered?: boolean }) {
  return (
    <>
      <div
        role="img"
        aria-label="QR code to add Latchkey to your authenticator app"
        className={`mb-4 size-48 [&_svg]:size-full ${centered ? 'mx-auto' : ''}`}
        // Our own SVG from the qrcode library, drawn from the otpauth URI: no user text in it.
        dangerouslySetInnerHTML={{ __html: setup.qrSvg }}
      />
      <p className="mb-5 text-sm text-slate-700">
        Or type this key into the app:{' '}
        <code data-testid="app-secret" className="font-mono break-all select-all">
          {setup.secret}
        </code>
      </p>
    </>
  );
}
