/**
 * One authorization server: its name, its screens as tabs (settings and scopes, claims, access
 * policies, keys, Token Preview), and the tab the route names.
 */
import { api } from "../api";
import type { Session } from "../auth";
import { hashOf, type ServerTab } from "../parse";
import type { AuthorizationServer } from "../types";
import { FormError, Notice } from "../ui";
import { Claims } from "./claims";
import { Keys } from "./keys";
import { Policies } from "./policies";
import { Scopes } from "./scopes";
import { ServerSettings } from "./server-settings";
import { TokenPreview } from "./token-preview";
import { useLoad } from "./use-load";

interface Props {
  session: Session;
  serverId: string;
  tab: ServerTab;
  canWrite: boolean;
}

const TABS: readonly { tab: ServerTab; label: string }[] = [
  { tab: "settings", label: "Settings" },
  { tab: "claims", label: "Claims" },
  { tab: "policies", label: "Access policies" },
  { tab: "keys", label: "Keys" },
  { tab: "preview", label: "Token preview" },
];

export function ServerDetail({ session, serverId, tab, canWrite }: Props) {
  const path = `/authorizationServers/${encodeURIComponent(serverId)}`;
  const {
    value: server,
    failure,
    reload,
    set,
  } = useLoad(() => api<AuthorizationServer>(session, "GET", path), [session, path]);
  return (
    <section aria-labelledby="page-title">
      <p class="crumbs">
        <a href="#/servers">Authorization servers</a>
      </p>
      <h1 id="page-title" tabIndex={-1} class="break">
        {server?.name ?? serverId}
      </h1>
      <nav class="tabs" aria-label="Server">
        {TABS.map((t) => (
          <a
            key={t.tab}
            href={hashOf({ screen: "server", id: serverId, tab: t.tab })}
            aria-current={t.tab === tab ? "page" : undefined}
          >
            {t.label}
          </a>
        ))}
      </nav>
      <FormError failure={failure} fields={[]} />
      {server === undefined && !failure ? <Notice>Loading…</Notice> : null}
      {server && tab === "settings" ? (
        <div class="columns">
          <ServerSettings
            session={session}
            server={server}
            canWrite={canWrite}
            reload={reload}
            replaced={set}
          />
          <Scopes session={session} serverId={server.id} canWrite={canWrite} />
        </div>
      ) : null}
      {server && tab === "claims" ? <Claims session={session} server={server} canWrite={canWrite} /> : null}
      {server && tab === "policies" ? (
        <Policies session={session} server={server} canWrite={canWrite} />
      ) : null}
      {server && tab === "keys" ? (
        <Keys session={session} server={server} canWrite={canWrite} reload={reload} />
      ) : null}
      {server && tab === "preview" ? <TokenPreview session={session} server={server} /> : null}
    </section>
  );
}
