/**
 * One app (`#/apps/<id>`): what it is (client id, kind, client authentication), its lifecycle
 * (activate / deactivate; delete only once INACTIVE, as Okta, after a confirmation), its settings
 * (Okta's PUT replaces the app: app-kinds.ts `replaceBody` keeps what the form does not show), its
 * client secrets and its assignments. Nothing shows as changed before the server has said so.
 */
import { useState } from "preact/hooks";
import { ApiFailure, api } from "../api";
import { draftOf, grantLabel, KINDS, kindOf, type OidcApp, replaceBody } from "../app-kinds";
import type { Session } from "../auth";
import { FormError, Notice } from "../ui";
import { AppAssignments } from "./app-assignments";
import { AppForm } from "./app-form";
import { AppSecrets } from "./app-secrets";
import { Confirm } from "./confirm";
import { useLoad } from "./use-load";

interface Props {
  session: Session;
  id: string;
  canWrite: boolean;
}

export function AppDetail({ session, id, canWrite }: Props) {
  const path = `/apps/${encodeURIComponent(id)}`;
  const {
    value: app,
    failure,
    reload,
    set,
  } = useLoad(() => api<OidcApp>(session, "GET", path), [session, path]);
  const [status, setStatus] = useState("");
  const [writeFailure, setWriteFailure] = useState<ApiFailure | undefined>(undefined);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  // Each answer from the server gives the settings form a fresh start from what it holds.
  const [version, setVersion] = useState(0);

  async function write(action: () => Promise<string>) {
    setBusy(true);
    setStatus("");
    try {
      setStatus(await action());
      setWriteFailure(undefined);
    } catch (error) {
      if (!(error instanceof ApiFailure)) throw error;
      setWriteFailure(error);
    } finally {
      setBusy(false);
    }
  }

  const lifecycle = (action: "activate" | "deactivate") =>
    write(async () => {
      await api(session, "POST", `${path}/lifecycle/${action}`);
      await reload();
      setVersion((v) => v + 1);
      return action === "activate" ? "App activated." : "App deactivated: it gets no tokens.";
    });

  const remove = (label: string) =>
    write(async () => {
      await api(session, "DELETE", path);
      setConfirming(false);
      location.hash = "#/apps";
      return `App ${label} deleted.`;
    });

  if (!app) {
    return (
      <section aria-labelledby="page-title">
        <p class="crumbs">
          <a href="#/apps">Applications</a>
        </p>
        <h1 id="page-title" tabIndex={-1} class="break">
          {id}
        </h1>
        <FormError failure={failure} fields={[]} />
        {failure ? null : <Notice>Loading…</Notice>}
      </section>
    );
  }

  const kind = KINDS[kindOf(app.settings.oauthClient.application_type)];
  const authMethod = app.credentials.oauthClient.token_endpoint_auth_method;
  const active = app.status === "ACTIVE";
  return (
    <section aria-labelledby="page-title">
      <p class="crumbs">
        <a href="#/apps">Applications</a>
      </p>
      <h1 id="page-title" tabIndex={-1} class="break">
        {app.label}
      </h1>
      <div class="columns">
        <div class="stack">
          <section aria-labelledby="general-title" class="panel">
            <h2 id="general-title">General</h2>
            <dl class="facts">
              <dt>Client ID</dt>
              <dd>
                <code class="break">{app.id}</code>
              </dd>
              <dt>Kind</dt>
              <dd>{kind.label}</dd>
              <dt>Client authentication</dt>
              <dd>
                <code class="break">{authMethod}</code>
                {app.credentials.oauthClient.pkce_required ? ", PKCE required" : ""}
              </dd>
              <dt>Grant types</dt>
              <dd>{app.settings.oauthClient.grant_types.map(grantLabel).join(", ")}</dd>
            </dl>
            <div class="status-row">
              <span>
                Status: <span class={`status ${app.status.toLowerCase()}`}>{app.status}</span>
              </span>
              <button
                type="button"
                disabled={!canWrite || busy}
                onClick={() => void lifecycle(active ? "deactivate" : "activate")}
              >
                {active ? "Deactivate app" : "Activate app"}
              </button>
              <button
                type="button"
                disabled={!canWrite || busy || active}
                aria-describedby={active ? "delete-hint" : undefined}
                onClick={() => {
                  setWriteFailure(undefined);
                  setConfirming(true);
                }}
              >
                Delete app
              </button>
            </div>
            {active ? (
              <p class="hint" id="delete-hint">
                Deactivate the app before deleting it (Okta's rule).
              </p>
            ) : null}
            {confirming && !active ? (
              <Confirm
                confirmLabel={`Delete ${app.label} for good`}
                disabled={!canWrite || busy}
                confirm={() => void remove(app.label)}
                keep={() => setConfirming(false)}
              >
                Delete {app.label}? Its secrets, assignments and grants go with it; this cannot be undone.
              </Confirm>
            ) : null}
            <p class="saved" role="status">
              {status}
            </p>
            <FormError failure={writeFailure} fields={[]} />
          </section>
          <section aria-labelledby="app-settings-title" class="panel">
            <h2 id="app-settings-title">Settings</h2>
            <AppForm
              key={`edit-${version}`}
              idPrefix="app-edit"
              mode="edit"
              initial={draftOf(app)}
              submitLabel="Save app"
              canWrite={canWrite}
              submit={async (draft) => {
                setStatus("");
                set(await api<OidcApp>(session, "PUT", path, replaceBody(app, draft)));
                setVersion((v) => v + 1);
                setStatus("App saved.");
              }}
            />
          </section>
        </div>
        <div class="stack">
          <AppSecrets session={session} appId={app.id} authMethod={authMethod} canWrite={canWrite} />
          <AppAssignments session={session} appId={app.id} appLabel={app.label} canWrite={canWrite} />
        </div>
      </div>
    </section>
  );
}
