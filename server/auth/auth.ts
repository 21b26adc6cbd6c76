// Accounts and sessions, by better-auth: email + password, no public sign-up (people join through
// an invitation), sessions in httpOnly SameSite=Lax cookies (Secure when the public URL is https),
// sign-in rate-limited per client address, roles kept by its admin plugin in `user.role`.
import { betterAuth } from 'better-auth';
import { drizzleAdapter } from 'better-auth/adapters/drizzle';
import { admin } from 'better-auth/plugins';
import { createAccessControl } from 'better-auth/plugins/access';
import { adminAc, defaultStatements } from 'better-auth/plugins/admin/access';
import type { Db } from '../../db/client';
import { account, session, user, verification } from '../../db/team-schema';

/** Set by the server on every /api/auth request from the TCP peer's address (any value a client
 * sent is replaced), so the rate limit counts per client instead of one shared bucket. */
export const PEER_ADDRESS_HEADER = 'x-mri-peer-address';

/** Sign-in attempts allowed per client address and window (seconds). */
export const SIGN_IN_LIMIT = { window: 60, max: 5 };

// The admin plugin's own permissions (its endpoints are not served: server/http/dispatch.ts) are
// an admin's alone; what each role may do in the dashboard is lib/contracts/team.ts's roleAllows.
const ac = createAccessControl(defaultStatements);
const authRoles = { viewer: ac.newRole({ user: [], session: [] }), editor: ac.newRole({ user: [], session: [] }), admin: adminAc };

export interface AuthOptions {
  db: Db;
  secret: string;
  publicUrl: string;
  trustedOrigins: string[];
}

export function createAuth({ db, secret, publicUrl, trustedOrigins }: AuthOptions) {
  return betterAuth({
    appName: 'MRI synthesis lab',
    baseURL: publicUrl,
    basePath: '/api/auth',
    secret,
    trustedOrigins,
    database: drizzleAdapter(db, { provider: 'sqlite', usePlural: false, schema: { user, session, account, verification } }),
    emailAndPassword: { enabled: true, disableSignUp: true, minPasswordLength: 10, maxPasswordLength: 128 },
    telemetry: { enabled: false },
    // Enabled in every environment (better-auth's default is production only); one server
    // process, so memory is the store.
    rateLimit: { enabled: true, storage: 'memory', window: 60, max: 100, customRules: { '/sign-in/email': SIGN_IN_LIMIT } },
    advanced: {
      cookiePrefix: 'mri-lab',
      useSecureCookies: publicUrl.startsWith('https://'),
      defaultCookieAttributes: { httpOnly: true, sameSite: 'lax' },
      ipAddress: { ipAddressHeaders: [PEER_ADDRESS_HEADER] },
    },
    plugins: [admin({ ac, roles: authRoles, defaultRole: 'viewer', adminRoles: ['admin'] })],
  });
}

export type Auth = ReturnType<typeof createAuth>;
