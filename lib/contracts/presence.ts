// Presence: who is online, and who is looking at which run or study page, live. A browser
// announces the page it shows (`presence:watch`), is told who else is there (`presence:updated`
// to that page's room) and who is online at all (`presence:online` to everyone); a socket that
// leaves the page or drops is taken off at once.
import { z } from 'zod';

export const pageKinds = ['run', 'study'] as const;
export type PageKind = (typeof pageKinds)[number];

/** A run or study page; ids are the server's own (`r-…`, `s-…`), so short and plain. */
export const pageRefSchema = z
  .object({
    kind: z.enum(pageKinds),
    id: z.string().min(1).max(64).regex(/^[A-Za-z0-9_.-]+$/, 'not a run or study id'),
  })
  .strict();
export type PageRef = z.infer<typeof pageRefSchema>;

export const samePage = (a: PageRef, b: PageRef) => a.kind === b.kind && a.id === b.id;

/** A person as presence badges and comment authors show them. */
export interface PresencePerson {
  id: string;
  name: string;
  /** From the id (lib/person-color.ts). */
  color: string;
}

export interface PageViewers {
  page: PageRef;
  /** Everyone with the page open, once each however many tabs they have, by name. */
  viewers: PresencePerson[];
}

export interface PresenceToBrowserEvents {
  'presence:online': (people: PresencePerson[]) => void;
  'presence:updated': (msg: PageViewers) => void;
}

export interface PresenceFromBrowserEvents {
  /** Shows `page` in this socket (leaving the page it showed before); the ack carries its
   * viewers, or null for a malformed page. Once acknowledged, the socket is in the page's room. */
  'presence:watch': (page: PageRef, ack?: (viewers: PresencePerson[] | null) => void) => void;
  'presence:unwatch': (page: PageRef) => void;
  /** Who is online now (a page asks once; `presence:online` brings the changes). */
  'presence:list': (ack: (people: PresencePerson[]) => void) => void;
}
