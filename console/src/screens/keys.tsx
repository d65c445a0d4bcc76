/**
 * A server's signing keys (Okta's `…/credentials/keys`, README "Keys and rotation"): the timeline
 * of NEXT, ACTIVE and EXPIRED keys with their dates, the rotation mode, Rotate keys (Okta's
 * `…/credentials/lifecycle/keyRotate`) with what it does and when, and Warden's emergency revoke
 * (`…/credentials/keys/{kid}/lifecycle/revoke`) behind a confirmation that says what breaks.
 * Every write is followed by reading the keys and the server again: nothing shown is assumed.
 */

import { useState } from "preact/hooks";
import { ApiFailure, api } from "../api";
import type { Session } from "../auth";
import {
  formatInstant,
  formatPeriod,
  keyTimeline,
  REVOCATION_BOUND_MINUTES,
  rotationMessage,
  rotationOutcome,
  type SigningKey,
} from "../key-timeline";
import type { AuthorizationServer } from "../types";
import { Field, FormError } from "../ui";
import { Confirm } from "./confirm";
import { ListState } from "./list-state";
import { useChanged } from "./use-changed";
import { useLoad } from "./use-load";
import { useWrite } from "./use-write";

interface Props {
  session: Session;
  server: AuthorizationServer;
  canWrite: boolean;
  reload: () => void;
}

type Signing = NonNullable<NonNullable<AuthorizationServer["credentials"]>["signing"]> & {
  lastRotated?: string | null;
  nextRotation?: string | null;
  /** Warden: the AUTO rotation period. */
  rotationPeriodSeconds?: number;
};

const signingOf = (server: AuthorizationServer): Signing => server.credentials?.signing ?? {};

const date = (iso: string | null | undefined) => formatInstant(iso ? new Date(iso) : undefined);

/** What Rotate keys does, said before the admin presses it. */
function RotationExplained({ mode, period }: { mode: string; period: number | undefined }) {
  return (
    <div class="explain" id="rotate-explained">
      <p>
        <strong>Rotate keys</strong> makes the NEXT key the ACTIVE (signing) key and generates a new NEXT key.
        The old ACTIVE key becomes EXPIRED: it signs nothing more but stays in the JWKS for a day plus the
        JWKS cache lifetime (24 h 20 min), so every token it signed keeps verifying until it expires.
      </p>
      <p>
        The switch is immediate unless the NEXT key was published less than about 23 minutes ago (a rotation
        just before, say): a verifier may still hold a key set fetched before it existed (max-age up to 15
        minutes, plus up to 5 of stale-while-revalidate, plus propagation), so the switch waits until every
        such cached key set has expired. The key is then listed as NEXT with the time it takes over.
      </p>
      <p>
        {mode === "MANUAL"
          ? "Rotation mode MANUAL: keys change only when you rotate them."
          : `Rotation mode AUTO: keys also rotate on their own every ${period ? formatPeriod(period) : "90 days"} (Okta's 90 days unless this server's rotationPeriodSeconds says otherwise); each NEXT key is published a whole period before it signs.`}
      </p>
    </div>
  );
}

function RotationMode({ session, server, canWrite, reload }: Props) {
  const current = signingOf(server).rotationMode ?? "AUTO";
  const [mode, setMode] = useState(current);
  const { busy, failure, status, run } = useWrite();
  // The server's answer (after a save or any reload) is what the control shows.
  useChanged(current, setMode);

  // Okta's PUT replaces the server: everything as it is, with the new rotation mode.
  const save = async (event: Event) => {
    event.preventDefault();
    const signing = { ...signingOf(server), rotationMode: mode };
    const saved = await run(
      () =>
        api(session, "PUT", `/authorizationServers/${encodeURIComponent(server.id)}`, {
          ...server,
          credentials: { ...server.credentials, signing },
        }),
      `Rotation mode ${mode} saved.`,
    );
    if (saved) reload();
  };

  return (
    <form onSubmit={(e) => void save(e)} noValidate class="inline-form">
      <FormError failure={failure} fields={["credentials"]} />
      <fieldset disabled={!canWrite || busy}>
        <legend class="visually-hidden">Rotation mode</legend>
        <Field
          id="rotation-mode"
          label="Rotation mode"
          field="credentials"
          failure={failure}
          hint="AUTO: Warden rotates on the schedule. MANUAL: only Rotate keys changes the signing key."
        >
          {(p) => (
            <select {...p} value={mode} onChange={(e) => setMode(e.currentTarget.value)}>
              <option value="AUTO">AUTO</option>
              <option value="MANUAL">MANUAL</option>
            </select>
          )}
        </Field>
        <button type="submit" disabled={mode === current}>
          Save rotation mode
        </button>
        <span class="saved break" role="status">
          {status}
        </span>
      </fieldset>
    </form>
  );
}

export function Keys(props: Props) {
  const { session, server, canWrite, reload } = props;
  const path = `/authorizationServers/${encodeURIComponent(server.id)}/credentials`;
  const {
    value: keys,
    failure,
    reload: reloadKeys,
  } = useLoad(() => api<SigningKey[]>(session, "GET", `${path}/keys`), [session, path]);
  const [writeFailure, setWriteFailure] = useState<ApiFailure | undefined>(undefined);
  const [confirming, setConfirming] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState("");
  const signing = signingOf(server);

  async function write(action: () => Promise<string>) {
    setBusy(true);
    setStatus("");
    try {
      const said = await action();
      setWriteFailure(undefined);
      setConfirming(undefined);
      setStatus(said);
    } catch (error) {
      if (!(error instanceof ApiFailure)) throw error;
      setWriteFailure(error);
    } finally {
      // The server's lastRotated / nextRotation and the keys, as they are now.
      await reloadKeys();
      reload();
      setBusy(false);
    }
  }

  const rotate = () =>
    write(async () => {
      const before = keys ?? [];
      const after = await api<SigningKey[]>(session, "POST", `${path}/lifecycle/keyRotate`, { use: "sig" });
      return rotationMessage(rotationOutcome(before, after, new Date()));
    });

  const revoke = (kid: string) =>
    write(async () => {
      await api(session, "POST", `${path}/keys/${encodeURIComponent(kid)}/lifecycle/revoke`);
      return `Key ${kid} revoked: it is no longer published and never signs again.`;
    });

  const rows = keys ? keyTimeline(keys) : [];
  return (
    <div class="columns keys">
      <section aria-labelledby="keys-title" class="panel">
        <h2 id="keys-title">Signing keys</h2>
        <p class="saved break" role="status">
          {status}
        </p>
        <ListState items={keys} failure={failure} writeFailure={writeFailure} empty="No keys published." />
        {rows.length ? (
          <ol class="timeline" aria-label="Key timeline, newest first">
            {rows.map(({ key, signsFrom, signsUntil, leavesJwks }) => (
              <li key={key.kid} class={`key ${key.status.toLowerCase()}`}>
                <div class="key-head">
                  <span class={`tag key-status ${key.status.toLowerCase()}`}>{key.status}</span>
                  <code class="break">{key.kid}</code>
                  <span class="tag">{key.alg}</span>
                </div>
                <dl class="facts">
                  <dt>Created</dt>
                  <dd>{date(key.created)}</dd>
                  {key.status === "NEXT" ? (
                    <>
                      <dt>Signs from</dt>
                      <dd>{signsFrom ? formatInstant(signsFrom) : "the next rotation"}</dd>
                    </>
                  ) : (
                    <>
                      <dt>Signed from</dt>
                      <dd>{formatInstant(signsFrom)}</dd>
                    </>
                  )}
                  {key.status === "ACTIVE" ? (
                    <>
                      <dt>Signs until</dt>
                      <dd>{signsUntil ? formatInstant(signsUntil) : "the next rotation"}</dd>
                    </>
                  ) : null}
                  {key.status === "EXPIRED" ? (
                    <>
                      <dt>Signed until</dt>
                      <dd>{formatInstant(signsUntil)}</dd>
                      <dt>Leaves the JWKS</dt>
                      <dd>{formatInstant(leavesJwks)}</dd>
                    </>
                  ) : null}
                </dl>
                {confirming === key.kid ? (
                  <Confirm
                    confirmLabel={`Revoke ${key.kid}`}
                    disabled={!canWrite || busy}
                    confirm={() => void revoke(key.kid)}
                    keep={() => setConfirming(undefined)}
                    returnFocusTo={`revoke-${key.kid}`}
                  >
                    Revoke key {key.kid}? It leaves the JWKS now and never signs again: every token it signed
                    stops verifying — at once for verifiers that refetch the JWKS on an unknown key, within{" "}
                    {REVOCATION_BOUND_MINUTES} minutes for those that honour its Cache-Control.
                    {key.status === "ACTIVE"
                      ? " The NEXT key signs from now, even where a cached key set does not hold it yet."
                      : ""}
                  </Confirm>
                ) : (
                  <div class="actions">
                    <button
                      type="button"
                      id={`revoke-${key.kid}`}
                      disabled={!canWrite || busy}
                      aria-label={`Revoke key ${key.kid}`}
                      onClick={() => {
                        setWriteFailure(undefined);
                        setConfirming(key.kid);
                      }}
                    >
                      Revoke
                    </button>
                  </div>
                )}
              </li>
            ))}
          </ol>
        ) : null}
      </section>
      <section aria-labelledby="rotation-title" class="panel">
        <h2 id="rotation-title">Rotation</h2>
        <dl class="facts">
          <dt>Algorithm</dt>
          <dd>{signing.alg ?? "RS256"}</dd>
          <dt>Last rotated</dt>
          <dd>{date(signing.lastRotated)}</dd>
          <dt>Next rotation</dt>
          <dd>{signing.nextRotation ? date(signing.nextRotation) : "when you rotate (MANUAL)"}</dd>
        </dl>
        <RotationExplained
          mode={signing.rotationMode ?? "AUTO"}
          period={
            typeof signing.rotationPeriodSeconds === "number" ? signing.rotationPeriodSeconds : undefined
          }
        />
        <button
          type="button"
          class="primary"
          disabled={!canWrite || busy}
          aria-describedby="rotate-explained"
          onClick={() => void rotate()}
        >
          Rotate keys
        </button>
        <RotationMode {...props} />
      </section>
    </div>
  );
}
