// The browser's tRPC client (types come from the server's router; no code crosses over).
import { createTRPCClient, httpBatchLink, TRPCClientError } from '@trpc/client';
import type { AppRouter } from '../../server/api/root';

export const trpc = createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: '/api/trpc' })] });

/** A message a user can act on, including the field-by-field list for validation errors. */
export function errorMessage(err: unknown): string {
  if (err instanceof TRPCClientError) {
    const fields = (err.data as { fields?: string[] | null } | undefined)?.fields;
    return fields && fields.length > 0 ? `Please fix: ${fields.join('; ')}` : err.message;
  }
  return err instanceof Error ? err.message : String(err);
}
