/**
 * One server's settings (name, description, audiences, signing algorithm, token profile; Okta's PUT
 * replaces them), its lifecycle
 * (activate / deactivate) and its deletion (Okta deletes only an INACTIVE server; a confirmation
 * names the server and what stops working). Nothing is shown as changed until the server has said so: a save shows
 * the server's answer, a refusal keeps the form as typed with the errors beside their fields.
 */
import { useState } from "preact/hooks";
import { ApiFailure, api } from "../api";
import type { Session } from "../auth";
import { hashOf, parseAudiences } from "../parse";
import type { AuthorizationServer } from "../types";
import { Field, FormError } from "../ui";
import { Confirm } from "./confirm";
import { useChanged } from "./use-changed";

const FIELDS = ["name", "description", "audiences", "credentials", "tokenProfile"];

/** The algorithms and token profiles the server accepts (src/config/schemas.ts `SigningAlg`, `TokenProfile`). */
const ALGORITHMS = ["RS256", "PS256", "ES256", "EdDSA"] as const;
const PROFILES = [
  { value: "okta", label: "Okta (scp, cid, uid)" },
  { value: "rfc9068", label: "RFC 9068 (JWT access token profile)" },
] as const;

interface Props {
  session: Session;
  server: AuthorizationServer;
  canWrite: boolean;
  /** Asks the server again (after a lifecycle change: its answer is 204 with no body). */
  reload: () => Promise<void>;
  replaced: (server: AuthorizationServer) => void;
}

const audiencesText = (server: AuthorizationServer) => server.audiences.join("\n");
const algOf = (server: AuthorizationServer) => server.credentials?.signing?.alg ?? "RS256";
const profileOf = (server: AuthorizationServer) => server.tokenProfile ?? "okta";

export function ServerSettings({ session, server, canWrite, reload, replaced }: Props) {
  const [name, setName] = useState(server.name);
  const [description, setDescription] = useState(server.description);
  const [audiences, setAudiences] = useState(audiencesText(server));
  const [alg, setAlg] = useState(algOf(server));
  const [profile, setProfile] = useState(profileOf(server));
  const [failure, setFailure] = useState<ApiFailure | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  const [confirmingDelete, setConfirmingDelete] = useState(false);
  const [deleteFailure, setDeleteFailure] = useState<ApiFailure | undefined>(undefined);

  // A new answer from the server (save, lifecycle, reload) resets the form to it.
  useChanged(server, (answer) => {
    setName(answer.name);
    setDescription(answer.description);
    setAudiences(audiencesText(answer));
    setAlg(algOf(answer));
    setProfile(profileOf(answer));
  });

  async function write(action: () => Promise<void>) {
    setBusy(true);
    setSaved(false);
    try {
      await action();
      setFailure(undefined);
      setSaved(true);
    } catch (error) {
      if (!(error instanceof ApiFailure)) throw error;
      setFailure(error);
    } finally {
      setBusy(false);
    }
  }

  const save = (event: Event) => {
    event.preventDefault();
    void write(async () => {
      const signing = { ...server.credentials?.signing, alg };
      const body = {
        ...server,
        name,
        description,
        audiences: parseAudiences(audiences),
        tokenProfile: profile,
        credentials: { ...server.credentials, signing },
      };
      replaced(await api<AuthorizationServer>(session, "PUT", `/authorizationServers/${server.id}`, body));
    });
  };

  const lifecycle = (action: "activate" | "deactivate") =>
    write(async () => {
      await api(session, "POST", `/authorizationServers/${server.id}/lifecycle/${action}`);
      await reload();
    });

  // Okta answers 204; the server is gone, so the console goes back to the list (which reads again).
  // A refusal (a server another one trusts for token exchange, say) is shown beside the button.
  const remove = async () => {
    setBusy(true);
    try {
      await api(session, "DELETE", `/authorizationServers/${server.id}`);
      location.hash = hashOf({ screen: "servers" });
    } catch (error) {
      if (!(error instanceof ApiFailure)) throw error;
      setDeleteFailure(error);
      setConfirmingDelete(false);
      await reload();
    } finally {
      setBusy(false);
    }
  };

  const active = server.status === "ACTIVE";
  return (
    <section aria-labelledby="settings-title" class="panel">
      <h2 id="settings-title">Settings</h2>
      <div class="status-row">
        <span>
          Status: <span class={`status ${server.status.toLowerCase()}`}>{server.status}</span>
        </span>
        <button
          type="button"
          disabled={!canWrite || busy}
          onClick={() => void lifecycle(active ? "deactivate" : "activate")}
        >
          {active ? "Deactivate" : "Activate"}
        </button>
      </div>
      <dl class="facts">
        <dt>Issuer</dt>
        <dd class="break">{server.issuer}</dd>
        <dt>Signing</dt>
        <dd>
          {server.credentials?.signing?.alg ?? "RS256"}, rotation{" "}
          {server.credentials?.signing?.rotationMode ?? "AUTO"}
        </dd>
      </dl>
      <form onSubmit={save} noValidate>
        <FormError failure={failure} fields={FIELDS} />
        <fieldset disabled={!canWrite || busy}>
          <legend class="visually-hidden">Server settings</legend>
          <Field id="server-name" label="Name" field="name" failure={failure}>
            {(p) => <input {...p} value={name} onInput={(e) => setName(e.currentTarget.value)} />}
          </Field>
          <Field id="server-description" label="Description" field="description" failure={failure}>
            {(p) => (
              <textarea
                {...p}
                rows={2}
                value={description}
                onInput={(e) => setDescription(e.currentTarget.value)}
              />
            )}
          </Field>
          <Field
            id="server-audiences"
            label="Audiences"
            field="audiences"
            failure={failure}
            hint="One a line: the aud of this server's access tokens."
          >
            {(p) => (
              <textarea
                {...p}
                rows={3}
                value={audiences}
                onInput={(e) => setAudiences(e.currentTarget.value)}
              />
            )}
          </Field>
          <Field
            id="server-alg"
            label="Signing algorithm"
            field="credentials"
            failure={failure}
            hint="A new algorithm signs once its key is in every verifier's cache; the old key signs until then."
          >
            {(p) => (
              <select {...p} value={alg} onChange={(e) => setAlg(e.currentTarget.value)}>
                {ALGORITHMS.map((a) => (
                  <option key={a} value={a}>
                    {a}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field id="server-profile" label="Token profile" field="tokenProfile" failure={failure}>
            {(p) => (
              <select {...p} value={profile} onChange={(e) => setProfile(e.currentTarget.value)}>
                {PROFILES.map((o) => (
                  <option key={o.value} value={o.value}>
                    {o.label}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <button type="submit" class="primary">
            Save settings
          </button>
          {saved && !failure ? (
            <span class="saved" role="status">
              Saved.
            </span>
          ) : null}
        </fieldset>
      </form>
      <h3 id="delete-server-title">Delete this server</h3>
      <FormError failure={deleteFailure} fields={[]} />
      {confirmingDelete ? (
        <Confirm
          confirmLabel={`Delete ${server.name}`}
          disabled={!canWrite || busy}
          confirm={() => void remove()}
          keep={() => setConfirmingDelete(false)}
          returnFocusTo="delete-server"
        >
          Delete the authorization server {server.name}? Its issuer stops answering, its signing keys are
          destroyed, so tokens it issued stop verifying once verifiers' key caches expire, and every refresh
          token it issued is revoked. This cannot be undone.
        </Confirm>
      ) : (
        <>
          <p class="hint" id="delete-server-hint">
            {active
              ? "Only an inactive server can be deleted (as in Okta): deactivate it first."
              : "Deleting removes the server, its scopes, claims, policies and keys."}
          </p>
          <button
            type="button"
            id="delete-server"
            disabled={!canWrite || busy || active}
            aria-describedby="delete-server-hint"
            onClick={() => {
              setDeleteFailure(undefined);
              setConfirmingDelete(true);
            }}
          >
            Delete authorization server
          </button>
        </>
      )}
    </section>
  );
}
