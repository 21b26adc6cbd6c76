// Every HTTP request, authorised before its handler: the Host must name this dashboard (421
// otherwise), a state-changing request from a foreign Origin is refused (403), /api/auth/* goes to
// better-auth, /api/health is public, the file and export routes need a role, tRPC procedures
// check their own role, and a page without a session redirects to /sign-in. tRPC and the API
// routes also take a personal API token (`Authorization: Bearer mri_…`) instead of a cookie.
import type http from 'node:http';
import { fromNodeHeaders } from 'better-auth/node';
import { roleAllows, type Actor, type Role } from '../../lib/contracts/team';
import type { Db } from '../../db/client';
import { actorFromHeaders, SystemCredential, SYSTEM_ACTOR } from '../auth/actor';
import { actorFromApiToken, bearerToken, REFUSED_TOKEN } from '../auth/tokens';
import { PEER_ADDRESS_HEADER, type Auth } from '../auth/auth';
import { isLoopbackPeer, type SitePolicy } from '../auth/site';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => unknown;
/** An API route's handler, told who the request acts for (already checked for its role). */
type ApiHandler = (req: http.IncomingMessage, res: http.ServerResponse, actor: Actor) => unknown;

export interface Routes {
  trpc: Handler;
  auth: Handler;
  upload: ApiHandler;
  datasetFile: ApiHandler;
  runImage: ApiHandler;
  tableExport: ApiHandler;
  /** Worker agents' datasets and bundles: authenticated by worker token, not by a person. */
  workerFiles: Handler;
  /** The Next.js pages; null when this process serves none (headless). */
  pages: Handler | null;
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The role an API route needs, and its handler; null for pages. Order matters: upload first. */
function apiRoute(pathname: string, routes: Routes): { role: Role; handler: ApiHandler } | null {
  if (pathname === '/api/datasets/upload') return { role: 'editor', handler: routes.upload };
  if (pathname.startsWith('/api/datasets/')) return { role: 'viewer', handler: routes.datasetFile };
  if (pathname.startsWith('/api/runs/')) return { role: 'viewer', handler: routes.runImage };
  if (pathname.startsWith('/api/studies/') || pathname.startsWith('/api/results/')) return { role: 'viewer', handler: routes.tableExport };
  return null;
}

/** Pages and assets a visitor without a session may load. */
const isPublicPage = (pathname: string) =>
  pathname === '/sign-in' || pathname.startsWith('/invite/') || pathname.startsWith('/_next/') || pathname === '/favicon.ico';

function sendJson(res: http.ServerResponse, status: number, body: { error: string } | { ok: true }): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/** What proves who a request is: the session cookie, and beside it, for tRPC and the API routes,
 * a personal API token or this process's own system credential. */
export interface Credentials {
  db: Db;
  auth: Auth;
  system: SystemCredential;
}

/** Who an HTTP request acts for: the system actor when this process's own client presents its
 * credential over loopback; the owner of a personal API token when `Authorization: Bearer` is
 * sent (and then only the token counts: a cookie beside it is ignored, so a request that skipped
 * the Origin check can never act through a browser's cookie); else the session cookie's person. */
export async function requestActor(req: http.IncomingMessage, { db, auth, system }: Credentials): Promise<Actor | null> {
  const credential = req.headers[SystemCredential.header];
  if (credential !== undefined) return system.matches(credential) && isLoopbackPeer(req.socket.remoteAddress) ? SYSTEM_ACTOR : null;
  const bearer = bearerToken(req.headers.authorization);
  if (bearer !== null) return actorFromApiToken(db, bearer)?.actor ?? null;
  return actorFromHeaders(auth, fromNodeHeaders(req.headers));
}

/** A request that proves itself by a Bearer token rather than a cookie (tRPC and the API routes
 * only). A browser on another site cannot send one without a CORS preflight, which this server
 * never grants, so such a request is not a cross-site forgery and its Origin is not checked. */
const authenticatesByHeader = (req: http.IncomingMessage, pathname: string, routes: Routes) =>
  bearerToken(req.headers.authorization) !== null && (pathname.startsWith('/api/trpc/') || apiRoute(pathname, routes) !== null);

export function createDispatch(site: SitePolicy, credentials: Credentials, routes: Routes) {
  return async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const host = req.headers.host;
    if (!site.hostAllowed(host, req.socket.remoteAddress)) {
      return sendJson(res, 421, { error: `This dashboard does not answer to the name "${host ?? ''}"; open ${site.publicUrl} (or set PUBLIC_URL to the address people use).` });
    }
    const pathname = new URL(req.url ?? '/', 'http://local').pathname;
    if (STATE_CHANGING.has(req.method ?? 'GET') && !site.originAllowed(req.headers.origin) && !authenticatesByHeader(req, pathname, routes)) {
      return sendJson(res, 403, { error: `Refused a ${req.method} from another site (${req.headers.origin}); use the dashboard at ${site.publicUrl}.` });
    }
    if (pathname.startsWith('/api/auth/')) {
      // People, roles and accounts change only through the dashboard's own admin procedures.
      if (pathname.startsWith('/api/auth/admin/')) return sendJson(res, 404, { error: 'not found' });
      req.headers[PEER_ADDRESS_HEADER] = req.socket.remoteAddress ?? '';
      return void (await routes.auth(req, res));
    }
    if (pathname === '/api/health') return sendJson(res, 200, { ok: true });
    if (pathname.startsWith('/api/worker/')) return void (await routes.workerFiles(req, res));
    // Each procedure checks its own role (server/api/trpc.ts).
    if (pathname.startsWith('/api/trpc/')) return void (await routes.trpc(req, res));

    const api = apiRoute(pathname, routes);
    const actor = api || !isPublicPage(pathname) ? await requestActor(req, credentials) : null;
    if (api) {
      if (!actor) return sendJson(res, 401, { error: bearerToken(req.headers.authorization) !== null ? REFUSED_TOKEN : 'Sign in first: your session is missing or has ended.' });
      if (!roleAllows(actor.role, api.role)) return sendJson(res, 403, { error: `This needs the ${api.role} role; you are a ${actor.role}.` });
      return void (await api.handler(req, res, actor));
    }
    if (!actor && !isPublicPage(pathname)) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 401, { error: 'Sign in first: your session is missing or has ended.' });
      res.writeHead(302, { location: `/sign-in?next=${encodeURIComponent(req.url ?? '/')}`, 'cache-control': 'no-store' });
      return void res.end();
    }
    if (!routes.pages) return sendJson(res, 404, { error: 'web pages are not served by this process' });
    await routes.pages(req, res);
  };
}
