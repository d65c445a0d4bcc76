/**
 * Sign-in sessions and session tokens in maps, with the D1 store's semantics (src/signin/
 * session-store.ts): idle expiry moved on use, never past the absolute end; tokens spent once.
 */
import {
  SESSION_IDLE_SECONDS,
  SESSION_MAX_LIFETIME_SECONDS,
  SESSION_TOKEN_LIFETIME_SECONDS,
} from "../../src/config/defaults";
import { newObjectId } from "../../src/crypto/object-id";
import { randomToken } from "../../src/crypto/secrets";
import type { Authentication, Session, SessionStore } from "../../src/signin/session-store";

/** A fixed key-encryption key for the in-memory ports (32 bytes, base64url). */
export const MEMORY_KEY_ENCRYPTION_KEY = "bWVtb3J5LXBvcnRzLWtleS1lbmNyeXB0aW9uLWtleSE";

export function memorySessions(): SessionStore {
  const sessions = new Map<string, Session & { maxExpiresAt: number }>();
  const tokens = new Map<string, Authentication & { expiresAt: number }>();
  const live = (secret: string, now: number) => {
    const s = sessions.get(secret);
    return s && s.expiresAt > now ? s : undefined;
  };
  const view = ({ maxExpiresAt: _, ...session }: Session & { maxExpiresAt: number }): Session => session;
  return {
    async create(authn, now) {
      const secret = randomToken(32);
      const maxExpiresAt = now + SESSION_MAX_LIFETIME_SECONDS * 1000;
      const session = {
        id: newObjectId("102"),
        ...authn,
        created: now,
        expiresAt: Math.min(maxExpiresAt, now + SESSION_IDLE_SECONDS * 1000),
        maxExpiresAt,
      };
      sessions.set(secret, session);
      return { secret, session: view(session) };
    },
    async touch(secret, now) {
      const s = live(secret, now);
      if (!s) return null;
      s.expiresAt = Math.min(s.maxExpiresAt, now + SESSION_IDLE_SECONDS * 1000);
      return view(s);
    },
    async find(secret, now) {
      const s = live(secret, now);
      return s ? { ...view(s), login: s.userId } : null;
    },
    async end(secret) {
      const s = sessions.get(secret);
      sessions.delete(secret);
      return s ? view(s) : null;
    },
    async issueToken(authn, now) {
      const token = randomToken(32);
      const expiresAt = now + SESSION_TOKEN_LIFETIME_SECONDS * 1000;
      tokens.set(token, { ...authn, expiresAt });
      return { token, expiresAt };
    },
    async redeemToken(token, now) {
      const t = tokens.get(token);
      tokens.delete(token);
      return t && t.expiresAt > now ? { userId: t.userId, amr: t.amr, authTime: t.authTime } : null;
    },
  };
}
