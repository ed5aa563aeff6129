import type { Metadata } from 'next';
import { FactorPage } from '../factor-page';

export const metadata: Metadata = { title: 'Enter the app code' };

export default function AppCodePage() {
  return <FactorPage factor="authenticator-app" />;
}
