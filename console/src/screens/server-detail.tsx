/** One authorization server: its settings and lifecycle, then its scopes. */
import { api } from "../api";
import type { Session } from "../auth";
import type { AuthorizationServer } from "../types";
import { FormError, Notice } from "../ui";
import { Scopes } from "./scopes";
import { ServerSettings } from "./server-settings";
import { useLoad } from "./use-load";

interface Props {
  session: Session;
  serverId: string;
  canWrite: boolean;
}

export function ServerDetail({ session, serverId, canWrite }: Props) {
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
      <FormError failure={failure} fields={[]} />
      {server === undefined && !failure ? <Notice>Loading…</Notice> : null}
      {server ? (
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
    </section>
  );
}
