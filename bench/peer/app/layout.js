export const metadata = { title: 'Latchkey peer (Better Auth)' };

export default function RootLayout({ children }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
