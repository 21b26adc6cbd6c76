'use client';
// A list of tokens (personal API tokens or worker tokens): name, the first characters, when it was
// made and last used, whether it is revoked, and a Revoke button on open ones. Never the token.
import type { TokenView } from '../../lib/contracts/tokens';

const when = (ms: number | null, none: string) => (ms ? new Date(ms).toLocaleString() : none);

export function TokenTable({ tokens, onRevoke, testId, showCreator = false }: { tokens: TokenView[]; onRevoke: (token: TokenView) => void; testId: string; showCreator?: boolean }) {
  if (tokens.length === 0) return <p className="text-sm text-zinc-500" data-testid={`${testId}-empty`}>No tokens yet.</p>;
  return (
    <table className="w-full border-collapse text-sm" data-testid={`${testId}-table`}>
      <thead>
        <tr className="border-b border-zinc-200 text-left text-xs uppercase tracking-wide text-zinc-500 dark:border-zinc-800">
          <th className="py-2 pr-3">Name</th>
          <th className="pr-3">Token</th>
          {showCreator && <th className="pr-3">Made by</th>}
          <th className="pr-3">Created</th>
          <th className="pr-3">Last used</th>
          <th className="pr-3">Status</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {tokens.map((t) => (
          <tr key={t.id} className={`border-b border-zinc-100 dark:border-zinc-900 ${t.revokedAt ? 'text-zinc-400' : ''}`} data-testid={`${testId}-row`} data-name={t.name}>
            <td className="py-2 pr-3">{t.name}</td>
            <td className="pr-3 font-mono text-xs">{t.prefix}…</td>
            {showCreator && <td className="pr-3 text-xs">{t.createdBy ?? '—'}</td>}
            <td className="pr-3 text-xs">{when(t.createdAt, '—')}</td>
            <td className="pr-3 text-xs" data-testid={`${testId}-last-used`}>{when(t.lastUsedAt, 'never')}</td>
            <td className="pr-3 text-xs" data-testid={`${testId}-status`}>
              {t.revokedAt ? `revoked ${new Date(t.revokedAt).toLocaleString()}` : <span className="text-emerald-700 dark:text-emerald-400">active</span>}
            </td>
            <td className="text-right">
              {!t.revokedAt && (
                <button onClick={() => onRevoke(t)} className="rounded border border-zinc-300 px-2 py-0.5 text-xs text-rose-700 hover:bg-rose-50 dark:border-zinc-700 dark:hover:bg-rose-950" data-testid={`${testId}-revoke`}>
                  Revoke
                </button>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
