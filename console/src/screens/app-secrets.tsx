/**
 * Client secrets: the one shown once, and Okta's secret management for an app
 * (`/api/v1/apps/{id}/credentials/secrets`): generate a new one (its value is in that answer only;
 * Warden keeps a SHA-256 hash, DESIGN §8), deactivate the old one once every client uses the new,
 * then delete it. The server keeps at least one ACTIVE secret and at most two, and refuses to delete
 * an ACTIVE one: its words are shown, the console does not guess them.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiFailure, api } from "../api";
import { usesSecrets } from "../app-kinds";
import type { Session } from "../auth";
import { FormError, Notice } from "../ui";
import { Confirm } from "./confirm";
import { useLoad } from "./use-load";

/** Okta's OAuth2ClientSecret (`client_secret` only in the answer that created it). */
interface ClientSecret {
  id: string;
  status: "ACTIVE" | "INACTIVE";
  created: string;
  client_secret?: string;
}

/**
 * A secret's value, shown once right after the server made it. It lives in this component's state
 * only: leaving the screen or pressing "Hide secret" drops it, and no API answers it again.
 */
export function SecretOnce({ value, onHide }: { value: string; onHide: () => void }) {
  const [copied, setCopied] = useState("");
  // The focus goes to the secret (selected): it can be copied at once, and a screen reader reads it.
  const field = useRef<HTMLInputElement>(null);
  useEffect(() => field.current?.focus(), [value]);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied("Copied to the clipboard.");
    } catch {
      // No clipboard (permission refused, insecure origin): the field is selectable instead.
      setCopied("Copying failed: select the secret and copy it.");
    }
  };
  return (
    <section class="secret-once" aria-labelledby="secret-once-title">
      <h3 id="secret-once-title">New client secret</h3>
      <p>
        <strong>Copy it now: you will not see it again.</strong> Warden keeps only its hash.
      </p>
      <label for="secret-once-value">Client secret</label>
      <input
        id="secret-once-value"
        ref={field}
        class="secret-value"
        readOnly
        value={value}
        onFocus={(e) => e.currentTarget.select()}
      />
      <div class="actions">
        <button type="button" class="primary" onClick={() => void copy()}>
          Copy client secret
        </button>
        <button type="button" onClick={onHide}>
          Hide secret
        </button>
        <span class="saved" role="status">
          {copied}
        </span>
      </div>
    </section>
  );
}

const shortDate = (iso: string) => iso.replace("T", " ").replace(/\.\d+Z$|Z$/, " UTC");

interface Props {
  session: Session;
  appId: string;
  authMethod: string;
  canWrite: boolean;
}

export function AppSecrets({ session, appId, authMethod, canWrite }: Props) {
  const path = `/apps/${encodeURIComponent(appId)}/credentials/secrets`;
  const hasSecrets = usesSecrets(authMethod);
  const {
    value: secrets,
    failure,
    reload,
  } = useLoad(
    () => (hasSecrets ? api<ClientSecret[]>(session, "GET", path) : Promise.resolve([])),
    [session, path, hasSecrets],
  );
  const [fresh, setFresh] = useState<string | undefined>(undefined);
  const [writeFailure, setWriteFailure] = useState<ApiFailure | undefined>(undefined);
  const [confirming, setConfirming] = useState<string | undefined>(undefined);
  const [status, setStatus] = useState("");
  const [busy, setBusy] = useState(false);

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
      await reload();
    }
  }

  const generate = () =>
    write(async () => {
      const secret = await api<ClientSecret>(session, "POST", path);
      setFresh(secret.client_secret);
      return "New secret generated. It works at every edge within 90 s; the old one works until you deactivate it.";
    });
  const lifecycle = (secret: ClientSecret, action: "activate" | "deactivate") =>
    write(async () => {
      await api(session, "POST", `${path}/${encodeURIComponent(secret.id)}/lifecycle/${action}`);
      return `Secret ${secret.id} ${action}d.`;
    });
  const remove = (secret: ClientSecret) =>
    write(async () => {
      await api(session, "DELETE", `${path}/${encodeURIComponent(secret.id)}`);
      setConfirming(undefined);
      return `Secret ${secret.id} deleted.`;
    });

  return (
    <section aria-labelledby="secrets-title" class="panel">
      <h2 id="secrets-title">Client secrets</h2>
      {!hasSecrets ? (
        <Notice>
          This app authenticates with <code class="break">{authMethod}</code>: it has no client secrets.
        </Notice>
      ) : (
        <>
          <p class="hint">
            To rotate: generate a new secret, give it to the app, then deactivate and delete the old one. An
            app holds at most two.
          </p>
          <p class="saved" role="status">
            {status}
          </p>
          <FormError failure={failure ?? writeFailure} fields={[]} />
          {fresh ? <SecretOnce value={fresh} onHide={() => setFresh(undefined)} /> : null}
          {secrets === undefined && !failure ? <Notice>Loading…</Notice> : null}
          {secrets?.length ? (
            <ul class="rows">
              {secrets.map((secret) => (
                <li key={secret.id} class="row">
                  <div class="row-head">
                    <code class="break">{secret.id}</code>
                    <span class={`status ${secret.status.toLowerCase()}`}>{secret.status}</span>
                    <span class="hint">created {shortDate(secret.created)}</span>
                  </div>
                  {confirming === secret.id ? (
                    <Confirm
                      confirmLabel={`Delete secret ${secret.id} for good`}
                      disabled={!canWrite || busy}
                      confirm={() => void remove(secret)}
                      keep={() => setConfirming(undefined)}
                    >
                      Delete secret {secret.id}? A client still sending it gets invalid_client.
                    </Confirm>
                  ) : (
                    <div class="actions">
                      <button
                        type="button"
                        disabled={!canWrite || busy}
                        aria-label={`${secret.status === "ACTIVE" ? "Deactivate" : "Activate"} secret ${secret.id}`}
                        onClick={() =>
                          void lifecycle(secret, secret.status === "ACTIVE" ? "deactivate" : "activate")
                        }
                      >
                        {secret.status === "ACTIVE" ? "Deactivate" : "Activate"}
                      </button>
                      {/* Okta deletes only an INACTIVE secret: deactivate it first. */}
                      <button
                        type="button"
                        disabled={!canWrite || busy || secret.status === "ACTIVE"}
                        aria-label={`Delete secret ${secret.id}`}
                        title={secret.status === "ACTIVE" ? "Deactivate it first" : undefined}
                        onClick={() => {
                          setWriteFailure(undefined);
                          setConfirming(secret.id);
                        }}
                      >
                        Delete
                      </button>
                    </div>
                  )}
                </li>
              ))}
            </ul>
          ) : null}
          <div class="actions">
            <button type="button" disabled={!canWrite || busy} onClick={() => void generate()}>
              Generate new secret
            </button>
          </div>
        </>
      )}
    </section>
  );
}
