// The team: roles and what each may do, who a request or socket acts for, comments and the
// activity log. Shared by the server (which enforces it) and the browser (which shows only
// what a role may do).
import { z } from 'zod';

/** viewer: reads everything and comments; editor: also launches, cancels, retries, imports,
 * synthesises, runs studies and deletes what they launched or imported; admin: also people,
 * roles, worker tokens and deleting anything. */
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
  /** How they proved it: a browser session cookie, a personal API token, or `system`: the
   * command-line tools calling their own in-process server (no person; launches record none). */
  via: 'session' | 'token' | 'system';
}

/** An invitation link's token: 32 random bytes, base64url. */
export const inviteTokenSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'this invitation link is malformed; ask an admin for a new one');

export const passwordSchema = z.string().min(10, 'use at least 10 characters').max(128, 'use at most 128 characters');

/** What a person fills in on /invite/<token>. */
export const inviteAcceptSchema = z.object({
  token: inviteTokenSchema,
  name: z.string().trim().min(1, 'enter your name').max(100),
  email: z.email('enter a valid email address').max(254).transform((e) => e.toLowerCase()),
  password: passwordSchema,
});
export type InviteAccept = z.infer<typeof inviteAcceptSchema>;

/** An admin's new invitation: the role it grants, and optionally the only email it accepts. */
export const inviteCreateSchema = z.object({
  role: z.enum(roles),
  email: z.email('enter a valid email address').max(254).transform((e) => e.toLowerCase()).optional(),
});

/** A person as the People page lists them. */
export interface PersonView {
  id: string;
  name: string;
  email: string;
  role: Role;
  createdAt: number;
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
  'worker-drained',
  'worker-resumed',
  'worker-removed',
] as const;
export type ActivityAction = (typeof activityActions)[number];
export const activityTargets = ['run', 'study', 'dataset', 'comment', 'person', 'invite', 'token', 'worker-token', 'worker'] as const;
export type ActivityTarget = (typeof activityTargets)[number];
