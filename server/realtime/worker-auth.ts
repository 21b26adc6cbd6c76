// Who may speak on "/workers": the server's own worker processes, with the secret made per start
// (or WORKER_TOKEN), accepted from this machine only; and worker agents elsewhere, each with a
// worker token an admin made. A token's row is cached on its socket; revoking the token marks that
// copy and disconnects the socket, and a message that still arrives from it is ignored with a log
// line. A new handshake with a revoked token is refused by the database lookup.
import crypto from 'node:crypto';
import type http from 'node:http';
import os from 'node:os';
import type { Namespace, Socket } from 'socket.io';
import type { Db } from '../../db/client';
import { touchWorkerToken, LAST_USED_RESOLUTION_MS } from '../../db/queries/tokens';
import { isLoopbackPeer } from '../auth/site';
import { openWorkerToken } from '../auth/tokens';
import { safelyNext } from './safely';

/** The worker token a socket was admitted by, as read at its handshake. */
export interface WorkerGrant {
  tokenId: string;
  name: string;
  revokedAt: number | null;
  /** When its lastUsedAt was last written. */
  touchedAt: number;
}

export interface WorkerAuthData {
  workerId?: string;
  /** Absent for the server's own workers (the shared secret). */
  grant?: WorkerGrant;
}

/** Whether a peer address is one of this machine's own (loopback, or an interface address: the
 * server's workers reach it at HOST, which may be a LAN address). */
function isThisMachine(address: string | undefined): boolean {
  if (!address) return false;
  if (isLoopbackPeer(address)) return true;
  const bare = address.replace(/^::ffff:/, '');
  return Object.values(os.networkInterfaces()).some((list) => list?.some((i) => i.address === bare));
}

/** The token id of the server's own workers (admitted by its per-start secret). */
export const SERVER_TOKEN_ID = 'server';

export class WorkerAdmission {
  constructor(
    private readonly db: Db,
    private readonly sharedSecret: string,
    private readonly log: (line: string) => void,
  ) {}

  private isSharedSecret(token: string): boolean {
    return token.length === this.sharedSecret.length && crypto.timingSafeEqual(Buffer.from(token), Buffer.from(this.sharedSecret));
  }

  /** The namespace's handshake check. */
  readonly handshake = (socket: Socket, next: (err?: Error) => void): void => {
    const token = String(socket.handshake.auth?.token ?? '');
    const peer = socket.request.socket.remoteAddress;
    if (this.isSharedSecret(token)) {
      if (isThisMachine(peer)) return next();
      this.log(`refused a worker from ${peer} presenting the server's own worker secret: workers on other machines use a worker token (People page)`);
      return next(new Error('invalid worker token'));
    }
    const row = openWorkerToken(this.db, token);
    if (!row) {
      this.log(`refused a worker from ${peer}: its worker token is unknown or revoked`);
      return next(new Error('invalid worker token'));
    }
    (socket.data as WorkerAuthData).grant = { tokenId: row.id, name: row.name, revokedAt: null, touchedAt: Date.now() };
    next();
  };

  /** The token an HTTP request of a worker presents (`Authorization: Bearer …`), as its id:
   * SERVER_TOKEN_ID for the server's secret from this machine; null when refused. */
  requestTokenId(req: http.IncomingMessage): string | null {
    const bearer = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '');
    if (!bearer) return null;
    if (this.isSharedSecret(bearer[1])) return isThisMachine(req.socket.remoteAddress) ? SERVER_TOKEN_ID : null;
    return openWorkerToken(this.db, bearer[1])?.id ?? null;
  }

  /** The token id a connected worker was admitted with (its revoked token: none). */
  static tokenOfWorker(namespace: Namespace, workerId: string): string | undefined {
    for (const socket of namespace.sockets.values()) {
      const data = socket.data as WorkerAuthData;
      if (data.workerId !== workerId) continue;
      if (!data.grant) return SERVER_TOKEN_ID;
      if (data.grant.revokedAt === null) return data.grant.tokenId;
    }
    return undefined;
  }

  /** Checks every message of the socket against its token's revocation before any handler runs. */
  guard(socket: Socket): void {
    const data = socket.data as WorkerAuthData;
    socket.use(safelyNext(this.log, 'the worker token check', ([event], next) => {
      const grant = data.grant;
      if (!grant) return next();
      if (grant.revokedAt !== null) {
        this.log(`ignored ${String(event)} from worker ${data.workerId ?? socket.id}: its worker token "${grant.name}" was revoked`);
        return next(new Error('worker token revoked'));
      }
      const now = Date.now();
      if (now - grant.touchedAt >= LAST_USED_RESOLUTION_MS) {
        grant.touchedAt = now;
        touchWorkerToken(this.db, grant.tokenId, now);
      }
      next();
    }));
    // A refused message ends the connection (the handshake would refuse it anyway).
    socket.on('error', () => socket.disconnect(true));
  }

  /** Why a socket closed, for the runs it held: its token's revocation, or the transport's reason. */
  static closeReason(socket: Socket, reason: string): string {
    const grant = (socket.data as WorkerAuthData).grant;
    return grant?.revokedAt ? `its worker token "${grant.name}" was revoked` : reason;
  }

  /** Marks the token revoked on every socket it admitted and disconnects them; how many. */
  revoke(tokenId: string, namespace: Namespace): number {
    let closed = 0;
    for (const socket of namespace.sockets.values()) {
      const grant = (socket.data as WorkerAuthData).grant;
      if (grant?.tokenId !== tokenId) continue;
      grant.revokedAt = Date.now();
      this.log(`worker ${(socket.data as WorkerAuthData).workerId ?? socket.id} disconnected: its worker token "${grant.name}" was revoked`);
      socket.disconnect(true);
      closed++;
    }
    return closed;
  }
}
