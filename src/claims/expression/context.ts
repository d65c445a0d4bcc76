/**
 * What the caller supplies to an evaluation: the data an Okta claim expression can see. Plain data
 * only (see values.ts); time comes from `now` so evaluations are pure and tests use a fixed clock.
 */

/** A group the user belongs to. */
export interface ExpressionGroup {
  id: string;
  name: string;
  /**
   * Where the group is mastered, matched by the `app` argument of Groups.startsWith/endsWith/contains:
   * "OKTA" (the default when absent) for Warden's own groups, else an app type or app instance id.
   */
  source?: string;
  /** The group's profile, visible to getFilteredGroups group expressions as `group.profile`. */
  profile?: Readonly<Record<string, unknown>>;
}

export interface ExpressionContext {
  /** The user's profile attributes (`user.login`, `user.email`, …); null when there is no user, as for client_credentials. */
  user: Readonly<Record<string, unknown>> | null;
  /** The client: `app.clientId` and `app.profile.*`. */
  app: { readonly clientId: string; readonly profile: Readonly<Record<string, unknown>> };
  /** `access.scope`: the scopes being granted. */
  access: { readonly scope: readonly string[] };
  /** The user's profile for this client (`appuser.*`); null without a user. */
  appuser: Readonly<Record<string, unknown>> | null;
  /** The user's groups; null without a user. */
  groups: readonly ExpressionGroup[] | null;
  /** Milliseconds since the epoch; called at most once per evaluation. */
  now: () => number;
}
