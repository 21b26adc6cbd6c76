// Personal API tokens (a person's scripts and the command line, acting as that person) and worker
// tokens (worker agents on other machines): their recognisable shape, names, and how a list shows
// them. Shared by the server, the command line, workers and the browser.
import { z } from 'zod';

/** A personal API token starts with this; a worker token with WORKER_TOKEN_PREFIX. Each is
 * followed by 32 random bytes in base64url (43 characters). */
export const API_TOKEN_PREFIX = 'mri_';
export const WORKER_TOKEN_PREFIX = 'mrw_';

/** How many characters of a token a list shows to tell tokens apart (the prefix and 8 more). */
export const SHOWN_PREFIX_LENGTH = 12;

export const apiTokenSchema = z.string().regex(/^mri_[A-Za-z0-9_-]{43}$/, 'an API token looks like mri_ followed by 43 letters, digits, - or _');
export const workerTokenSchema = z.string().regex(/^mrw_[A-Za-z0-9_-]{43}$/, 'a worker token looks like mrw_ followed by 43 letters, digits, - or _');

export const tokenNameSchema = z.string().trim().min(1, 'name the token (what will use it)').max(80, 'use at most 80 characters');
export const tokenCreateSchema = z.object({ name: tokenNameSchema });
export const tokenIdSchema = z.object({ id: z.string().regex(/^(tok|wtk)-[0-9a-f]{16}$/, 'not a token id') });

/** A token as its list shows it: never the token itself. */
export interface TokenView {
  id: string;
  name: string;
  /** The token's first characters, e.g. "mri_3q2Xa9Lk". */
  prefix: string;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
  /** Worker tokens: the admin who made it (null when that person was removed). */
  createdBy?: string | null;
}

/** What creating a token answers, once: the token is never shown again. */
export interface CreatedToken {
  token: string;
  view: TokenView;
}
