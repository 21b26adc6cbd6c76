// The page frame: the header (navigation by role, who is signed in) and the light/dark palette
// shared by every view.
import type { Metadata } from 'next';
import { SiteHeader } from './components/site-header';
import 'uplot/dist/uPlot.min.css';
import './globals.css';

export const metadata: Metadata = {
  title: 'MRI synthesis lab',
  description: 'Synthetic brain MRI for tumour classification: live experiments and comparisons',
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen bg-zinc-50 text-zinc-900 dark:bg-zinc-950 dark:text-zinc-100">
        <SiteHeader />
        <main className="mx-auto max-w-6xl px-4 py-6">{children}</main>
      </body>
    </html>
  );
}
