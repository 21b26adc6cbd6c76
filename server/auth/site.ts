// Which names and origins this server answers to: the public URL's host, plus the loopback names
// when it listens on loopback. Any other Host is refused (DNS rebinding), and a browser request
// that changes state, or opens a socket, from another Origin is refused (cross-site requests).
import net from 'node:net';
import type { Env } from '../../lib/env';

export class SiteConfigError extends Error {}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || (net.isIPv4(h) && h.startsWith('127.'));
}

const isWildcard = (host: string) => ['0.0.0.0', '::', '[::]'].includes(host);

export function isLoopbackPeer(address: string | undefined): boolean {
  return !!address && (address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.'));
}

/** Stops a start that would serve people on the network at an address nobody named. */
export function checkReachability(env: Pick<Env, 'HOST' | 'PUBLIC_URL'>): void {
  if (!isLoopbackHost(env.HOST) && !env.PUBLIC_URL) {
    throw new SiteConfigError(
      `HOST=${env.HOST} serves the dashboard beyond this machine, so PUBLIC_URL must say the address people open ` +
        '(for example PUBLIC_URL=https://lab.example.org behind a TLS proxy; see "Serving over TLS" in the README), ' +
        'or leave HOST at 127.0.0.1.',
    );
  }
}

export interface SitePolicy {
  /** Where people open the dashboard: PUBLIC_URL, or the loopback address it listens on. */
  publicUrl: string;
  /** Origins a browser page of this dashboard has (better-auth's trustedOrigins too). */
  allowedOrigins: string[];
  /** Whether a request naming `host` is for this dashboard; `peer` is the TCP peer's address. */
  hostAllowed(host: string | undefined, peer: string | undefined): boolean;
  /** An absent Origin is allowed (not a browser, or a same-origin GET); a foreign one is not. */
  originAllowed(origin: string | undefined): boolean;
}

export function sitePolicy(env: Pick<Env, 'HOST' | 'PUBLIC_URL'>, port: number): SitePolicy {
  checkReachability(env);
  const loopback = isLoopbackHost(env.HOST);
  const bound = env.HOST.includes(':') && !env.HOST.startsWith('[') ? `[${env.HOST}]` : env.HOST;
  const publicUrl = env.PUBLIC_URL ?? `http://${bound}:${port}`;
  const loopbackHosts = LOOPBACK_NAMES.map((n) => `${n}:${port}`);
  const hosts = new Set([new URL(publicUrl).host.toLowerCase(), ...(loopback ? loopbackHosts : [])]);
  // The address it is bound to, as an IP literal, can never be an attacker's DNS name.
  if (net.isIP(env.HOST.replace(/^\[|\]$/g, '')) && !isWildcard(env.HOST)) hosts.add(`${bound}:${port}`.toLowerCase());
  const origins = new Set([new URL(publicUrl).origin, ...(loopback ? loopbackHosts.map((h) => `http://${h}`) : [])]);
  return {
    publicUrl,
    allowedOrigins: [...origins],
    hostAllowed(host, peer) {
      if (!host) return false;
      const h = host.toLowerCase();
      // Listening on every interface: local worker processes and the command line still reach
      // it through loopback under a loopback name.
      return hosts.has(h) || (isWildcard(env.HOST) && isLoopbackPeer(peer) && loopbackHosts.includes(h));
    },
    originAllowed(origin) {
      return origin === undefined || origins.has(origin);
    },
  };
}

/** The address this process's own clients (local workers, the command line) use. */
export function internalUrl(host: string, port: number): string {
  if (isWildcard(host)) return `http://127.0.0.1:${port}`;
  return `http://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`;
}
