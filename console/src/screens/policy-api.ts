/**
 * What the policy screens read besides policies and rules, through the management API Okta's
 * admins use: apps, users and groups found by Okta's `q` prefix search (for a policy's clients
 * and a rule's people), and a refused write's causes keyed by their whole path.
 */
import { ApiFailure, api } from "../api";
import type { Session } from "../auth";
import { causeOf, EVERYONE_GROUP_ID } from "../policy-model";
import type { Finder } from "./picker";

/** Okta's page for a prefix search: enough to pick from, small enough to read at a glance. */
const MATCHES = 10;

interface OktaApp {
  id: string;
  label: string;
}
interface OktaUser {
  id: string;
  profile: { login: string; firstName?: string | null; lastName?: string | null };
}
interface OktaGroup {
  id: string;
  profile: { name: string };
}

const appOption = (a: OktaApp) => ({ id: a.id, label: `${a.label} (${a.id})` });
const userOption = (u: OktaUser) => {
  const name = [u.profile.firstName, u.profile.lastName].filter(Boolean).join(" ");
  return { id: u.id, label: name ? `${name} (${u.profile.login})` : u.profile.login };
};
const groupOption = (g: OktaGroup) => ({ id: g.id, label: g.profile.name });
const q = (text: string) => `q=${encodeURIComponent(text)}&limit=${MATCHES}`;

export interface Finders {
  apps: Finder;
  users: Finder;
  groups: Finder;
}

export function findersFor(session: Session): Finders {
  return {
    apps: {
      search: async (text) => (await api<OktaApp[]>(session, "GET", `/apps?${q(text)}`)).map(appOption),
      resolve: async (id) => appOption(await api<OktaApp>(session, "GET", `/apps/${encodeURIComponent(id)}`)),
    },
    users: {
      search: async (text) => (await api<OktaUser[]>(session, "GET", `/users?${q(text)}`)).map(userOption),
      resolve: async (id) =>
        userOption(await api<OktaUser>(session, "GET", `/users/${encodeURIComponent(id)}`)),
    },
    groups: {
      // Everyone is the "Everyone" choice of the form, not a group to pick.
      search: async (text) =>
        (await api<OktaGroup[]>(session, "GET", `/groups?${q(text)}`))
          .filter((g) => g.id !== EVERYONE_GROUP_ID)
          .map(groupOption),
      resolve: async (id) =>
        groupOption(await api<OktaGroup>(session, "GET", `/groups/${encodeURIComponent(id)}`)),
    },
  };
}

/**
 * The failure with each cause keyed by its whole path (`actions.token.accessTokenLifetimeMinutes`),
 * so a nested field of a rule shows its own error (policy-model.ts `causeOf`).
 */
export function nested(failure: ApiFailure): ApiFailure {
  if (failure.summaries.length === 0) return failure;
  return new ApiFailure(
    failure.status,
    failure.errorCode,
    failure.errorSummary,
    failure.summaries.map(causeOf),
    failure.summaries,
  );
}
