// The team: roles and what each may do, who a request or socket acts for, comments and the
// activity log. Shared by the server (which enforces it) and the browser (which shows only
// what a role may do).
import { z } from 'zod';

/** viewer: reads everything and comments; editor: also launches, cancels, retries, imports,
 * synthesises and runs studies; admin: also people, roles, worker tokens and deleting. */
export const roles = ['viewer', 'editor', 'admin'] as const;
export type Role = (typeof roles)[number];
const rank: Record<Role, number> = { viewer: 0, editor: 1, admin: 2 };

/** Whether `role` may do what `needed` may. */
export function roleAllows(role: Role, needed: Role): boolean {
  return rank[role] >= rank[needed];
}

/** The person a request or a socket acts for (a session, or an API token's owner). */
export interface Actor {
  id: string;
  name: string;
  email: string;
  role: Role;
  /** How they proved it: a browser session cookie, or a personal API token. */
  via: 'session' | 'token';
}

export const commentTargets = ['run', 'study', 'cell'] as const;
export type CommentTarget = (typeof commentTargets)[number];

/** Where on its target a comment is pinned: a training step (a marker on the run's charts),
 * or the sample grid of a step. */
export const commentPinSchema = z
  .object({
    step: z.number().int().min(0).max(1e9).optional(),
    imageId: z.number().int().min(1).optional(),
  })
  .strict();
export type CommentPin = z.infer<typeof commentPinSchema>;

export const activityActions = [
  'launched',
  'cancelled',
  'retried',
  'imported',
  'synthesised',
  'deleted',
  'commented',
  'invited',
  'joined',
  'role-changed',
  'token-created',
  'token-revoked',
] as const;
export type ActivityAction = (typeof activityActions)[number];
