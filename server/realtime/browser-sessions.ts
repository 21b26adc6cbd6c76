// Who a browser socket (namespace "/") acts for: its session cookie is checked at the handshake and
// again every minute; a socket whose session ended (signed out, expired, person removed) is
// disconnected, which takes it out of its rooms. A script or the command line against a running
// dashboard presents a personal API token (`auth: { token }`), disconnected when it is revoked;
// the command line's in-process client presents the process's system credential.
import type { Server, Socket } from 'socket.io';
import { fromNodeHeaders } from 'better-auth/node';
import type { Actor } from '../../lib/contracts/team';
import type { Db } from '../../db/client';
import type { Auth } from '../auth/auth';
import { actorFromHeaders, SYSTEM_ACTOR, type SystemCredential } from '../auth/actor';
import { actorFromApiToken, actorOfApiTokenId } from '../auth/tokens';
import { isLoopbackPeer } from '../auth/site';

export const SESSION_RECHECK_MS = 60_000;

export interface BrowserSocketData {
  actor: Actor;
  /** The handshake's cookie header, to ask again whether its session still holds. */
  cookie?: string;
  /** The API token it was admitted by, to ask again whether it is still open. */
  tokenId?: string;
}

/** The actor of a socket the session guard let in. */
export const socketActor = (socket: Socket): Actor => (socket.data as BrowserSocketData).actor;

export class BrowserSessions {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly io: Server,
    private readonly db: Db,
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
    const auth = socket.handshake.auth as { system?: unknown; token?: unknown } | undefined;
    if (auth?.system !== undefined) {
      if (!this.system.matches(auth.system) || !isLoopbackPeer(socket.request.socket.remoteAddress)) return false;
      socket.data = { actor: SYSTEM_ACTOR } satisfies BrowserSocketData;
      return true;
    }
    if (auth?.token !== undefined) {
      const found = actorFromApiToken(this.db, auth.token);
      if (!found) return false;
      socket.data = { actor: found.actor, tokenId: found.tokenId } satisfies BrowserSocketData;
      return true;
    }
    const cookie = socket.request.headers.cookie;
    const found = cookie ? await actorFromHeaders(this.auth, fromNodeHeaders({ cookie })) : null;
    if (!found) return false;
    socket.data = { actor: found, cookie } satisfies BrowserSocketData;
    return true;
  }

  /** Asks again for every session and token socket: ended sessions and revoked tokens (or their
   * removed owners) are disconnected, roles refreshed. */
  async recheck(): Promise<void> {
    const sockets = [...this.io.of('/').sockets.values()];
    await Promise.all(
      sockets.map(async (socket) => {
        const data = socket.data as BrowserSocketData;
        if (!data?.cookie && !data?.tokenId) return;
        try {
          const found = data.tokenId ? actorOfApiTokenId(this.db, data.tokenId) : await actorFromHeaders(this.auth, fromNodeHeaders({ cookie: data.cookie! }));
          if (found) data.actor = found;
          else socket.disconnect(true);
        } catch (err) {
          // The database was busy: this socket is asked again at the next round.
          this.log(`socket session recheck failed: ${err instanceof Error ? err.message : err}`);
        }
      }),
    );
  }

  /** Disconnects, at once, every socket admitted by this API token (it was just revoked). */
  disconnectToken(tokenId: string): void {
    for (const socket of this.io.of('/').sockets.values()) {
      if ((socket.data as BrowserSocketData)?.tokenId === tokenId) socket.disconnect(true);
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
