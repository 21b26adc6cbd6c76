// The page frame: navigation and the light/dark palette shared by every view.
import type { Metadata } from 'next';
import Link from 'next/link';
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
        <header className="border-b border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900">
          <nav className="mx-auto flex max-w-6xl items-center gap-6 px-4 py-3 text-sm">
            <Link href="/" className="font-semibold tracking-tight">MRI synthesis lab</Link>
            <Link href="/" className="text-zinc-600 hover:text-zinc-900 dark:text-zinc-400 dark:hover:text-white">Runs</Link>
            <Link href="/runs/new" className="text-zinc-600 hover:text-zinc-900 dark:text-zinc-400 dark:hover:text-white" data-testid="nav-new-run">New run</Link>
            <Link href="/datasets" className="text-zinc-600 hover:text-zinc-900 dark:text-zinc-400 dark:hover:text-white">Datasets</Link>
            <Link href="/studies" className="text-zinc-600 hover:text-zinc-900 dark:text-zinc-400 dark:hover:text-white">Studies</Link>
            <Link href="/compare" className="text-zinc-600 hover:text-zinc-900 dark:text-zinc-400 dark:hover:text-white">Compare</Link>
          </nav>
        </header>
        <main className="mx-auto max-w-6xl px-4 py-6">{children}</main>
      </body>
    </html>
  );
}
