// The frame of the sign-in and invitation forms: a narrow card with a title and a line under it,
// and the shared field style.
export const fieldClass = 'mt-1 block w-full rounded border border-zinc-300 bg-white px-2 py-1.5 dark:border-zinc-700 dark:bg-zinc-900';

export function AuthCard({ title, intro, children }: { title: string; intro: React.ReactNode; children: React.ReactNode }) {
  return (
    <div className="mx-auto mt-10 max-w-sm space-y-4 rounded border border-zinc-200 bg-white p-6 dark:border-zinc-800 dark:bg-zinc-900">
      <div className="space-y-1">
        <h1 className="text-lg font-semibold">{title}</h1>
        <p className="text-sm text-zinc-600 dark:text-zinc-400">{intro}</p>
      </div>
      {children}
    </div>
  );
}

export function FormError({ message, testId }: { message: string | null; testId: string }) {
  if (!message) return null;
  return <p role="alert" className="rounded bg-rose-100 px-3 py-2 text-sm text-rose-900 dark:bg-rose-950 dark:text-rose-200" data-testid={testId}>{message}</p>;
}
