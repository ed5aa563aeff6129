import type { Metadata } from 'next';
import { FactorPage } from '../factor-page';

export const metadata: Metadata = { title: 'Enter a backup code' };

export default function BackupCodePage() {
  return <FactorPage factor="backup-code" />;
}
