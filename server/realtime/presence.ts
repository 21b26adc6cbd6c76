// Presence, kept per browser socket: the person it acts for and the run or study page it shows.
// A page is a socket.io room (`page:<kind>:<id>`), so what concerns a page (who watches it, its
// comments) reaches exactly its viewers. The hub only hands socket events to this module; state
// lives here and is in memory only: a restart starts empty and every browser announces itself
// again when its socket reconnects.
import type { Server, Socket } from 'socket.io';
import { pageRefSchema, samePage, type PageRef, type PresencePerson } from '../../lib/contracts/presence';
import type { BrowserToServerEvents, ServerToBrowserEvents } from '../../lib/contracts/events';
import { personColor } from '../../lib/person-color';
import { socketActor } from './browser-sessions';

type BrowserServer = Server<BrowserToServerEvents, ServerToBrowserEvents>;
type BrowserSocket = Socket<BrowserToServerEvents, ServerToBrowserEvents>;

export const pageRoom = (page: PageRef) => `page:${page.kind}:${page.id}`;

interface SocketPresence {
  person: PresencePerson;
  page: PageRef | null;
}

/** One entry per person, ordered by name (then id, for namesakes). */
function distinct(people: Iterable<PresencePerson>): PresencePerson[] {
  const byId = new Map<string, PresencePerson>();
  for (const p of people) byId.set(p.id, p);
  return [...byId.values()].sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}

export class Presence {
  private readonly sockets = new Map<string, SocketPresence>();
  private lastOnline = '';

  constructor(private readonly io: BrowserServer) {}

  /** A person's socket came in (the command line's system socket is nobody and is not shown). */
  connected(socket: BrowserSocket): void {
    const actor = socketActor(socket);
    if (!actor || actor.via === 'system') return;
    this.sockets.set(socket.id, { person: { id: actor.id, name: actor.name, color: personColor(actor.id) }, page: null });
    this.announceOnline();
  }

  /** The socket's connection dropped or its session ended: off its page and, if it was the
   * person's last socket, offline. socket.io has already taken it out of its rooms. */
  disconnected(socket: BrowserSocket): void {
    const entry = this.sockets.get(socket.id);
    if (!entry) return;
    this.sockets.delete(socket.id);
    if (entry.page) this.publishViewers(entry.page);
    this.announceOnline();
  }

  /** The socket now shows `raw` (a page reference, validated here): it leaves the page it showed
   * before, joins this one's room, and everyone there hears who is watching. */
  watch(socket: BrowserSocket, raw: unknown, ack: unknown): void {
    const reply = typeof ack === 'function' ? (ack as (viewers: PresencePerson[] | null) => void) : () => {};
    const parsed = pageRefSchema.safeParse(raw);
    const entry = this.sockets.get(socket.id);
    if (!parsed.success || !entry) return reply(null);
    const page = parsed.data;
    if (entry.page && !samePage(entry.page, page)) this.leave(socket, entry);
    if (!entry.page) {
      entry.page = page;
      void socket.join(pageRoom(page));
      this.publishViewers(page);
    }
    reply(this.viewers(page));
  }

  /** The socket left `raw` (ignored when it has moved on to another page already). */
  unwatch(socket: BrowserSocket, raw: unknown): void {
    const parsed = pageRefSchema.safeParse(raw);
    const entry = this.sockets.get(socket.id);
    if (parsed.success && entry?.page && samePage(entry.page, parsed.data)) this.leave(socket, entry);
  }

  /** Everyone online now, for a page that has just loaded. */
  list(ack: unknown): void {
    if (typeof ack === 'function') ack(this.online());
  }

  viewers(page: PageRef): PresencePerson[] {
    return distinct([...this.sockets.values()].filter((s) => s.page && samePage(s.page, page)).map((s) => s.person));
  }

  online(): PresencePerson[] {
    return distinct([...this.sockets.values()].map((s) => s.person));
  }

  private leave(socket: BrowserSocket, entry: SocketPresence): void {
    const page = entry.page!;
    entry.page = null;
    void socket.leave(pageRoom(page));
    this.publishViewers(page);
  }

  private publishViewers(page: PageRef): void {
    this.io.to(pageRoom(page)).emit('presence:updated', { page, viewers: this.viewers(page) });
  }

  /** Tells everyone who is online, only when that changed (a second tab changes nothing). */
  private announceOnline(): void {
    const online = this.online();
    const key = online.map((p) => `${p.id}\u0000${p.name}`).join('\n');
    if (key === this.lastOnline) return;
    this.lastOnline = key;
    this.io.emit('presence:online', online);
  }
}
