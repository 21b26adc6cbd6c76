// Who a browser socket (namespace "/") acts for: its session cookie is checked at the handshake and
// again every minute; a socket whose session ended (signed out, expired, person removed) is
// disconnected, which takes it out of its rooms. The command line's in-process client presents
// the process's system credential instead.
import type { Server, Socket } from 'socket.io';
import { fromNodeHeaders } from 'better-auth/node';
import type { Actor } from '../../lib/contracts/team';
import type { Auth } from '../auth/auth';
import { actorFromHeaders, SYSTEM_ACTOR, type SystemCredential } from '../auth/actor';
import { isLoopbackPeer } from '../auth/site';

export const SESSION_RECHECK_MS = 60_000;

export interface BrowserSocketData {
  actor: Actor;
  /** The handshake's cookie header, to ask again whether its session still holds. */
  cookie?: string;
}

/** The actor of a socket the session guard let in. */
export const socketActor = (socket: Socket): Actor => (socket.data as BrowserSocketData).actor;

export class BrowserSessions {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly io: Server,
    private readonly auth: Auth,
    private readonly system: SystemCredential,
    private readonly log: (line: string) => void,
  ) {
    io.use((socket, next) => {
      this.admit(socket).then(
        (ok) => next(ok ? undefined : new Error('unauthorized: sign in to receive live updates')),
        (err) => {
          log(`socket session check failed: ${err instanceof Error ? err.message : err}`);
          next(new Error('the session could not be checked; reload the page'));
        },
      );
    });
    this.timer = setInterval(() => void this.recheck(), SESSION_RECHECK_MS);
    this.timer.unref();
  }

  private async admit(socket: Socket): Promise<boolean> {
    const auth = socket.handshake.auth as { system?: unknown } | undefined;
    if (auth?.system !== undefined) {
      if (!this.system.matches(auth.system) || !isLoopbackPeer(socket.request.socket.remoteAddress)) return false;
      socket.data = { actor: SYSTEM_ACTOR } satisfies BrowserSocketData;
      return true;
    }
    const cookie = socket.request.headers.cookie;
    const found = cookie ? await actorFromHeaders(this.auth, fromNodeHeaders({ cookie })) : null;
    if (!found) return false;
    socket.data = { actor: found, cookie } satisfies BrowserSocketData;
    return true;
  }

  /** Asks again for every session socket: ended sessions are disconnected, roles refreshed. */
  async recheck(): Promise<void> {
    const sockets = [...this.io.of('/').sockets.values()];
    await Promise.all(
      sockets.map(async (socket) => {
        const data = socket.data as BrowserSocketData;
        if (!data?.cookie) return;
        try {
          const found = await actorFromHeaders(this.auth, fromNodeHeaders({ cookie: data.cookie }));
          if (found) data.actor = found;
          else socket.disconnect(true);
        } catch (err) {
          // The database was busy: this socket is asked again at the next round.
          this.log(`socket session recheck failed: ${err instanceof Error ? err.message : err}`);
        }
      }),
    );
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
