/**
 * A server's access policies (tab `#/servers/<id>/policies`), Okta's
 * `/api/v1/authorizationServers/{id}/policies` and `…/policies/{pid}/rules`: the policies in priority
 * order — create (name, description, the clients covered), edit, activate / deactivate, delete with
 * a confirmation, reorder by drag or keyboard — and the chosen policy's rules (policy-rules.tsx).
 * Every write is followed by reading the list again: nothing shows as changed before the server has
 * said so, and a refusal shows Okta's errorSummary with each cause beside its field.
 */

import { useEffect, useMemo, useState } from "preact/hooks";
import { api } from "../api";
import type { Session } from "../auth";
import {
  ALL_CLIENTS,
  NEW_POLICY,
  type Policy,
  type PolicyDraft,
  policyBody,
  policyDraftOf,
  policyMoveBody,
} from "../policy-model";
import { inPriorityOrder } from "../reorder";
import type { AuthorizationServer, Scope } from "../types";
import { FormError, Notice } from "../ui";
import { Confirm } from "./confirm";
import { labelOf, useLabels } from "./picker";
import { type Finders, findersFor } from "./policy-api";
import { PolicyForm } from "./policy-form";
import { PolicyRules } from "./policy-rules";
import { ReorderList } from "./reorder-list";
import { RowActions } from "./row-actions";
import type { HookOption } from "./rule-form";
import { useLoad } from "./use-load";
import { useRows } from "./use-rows";

/** Okta's token inline hook type: the only kind a rule may name. */
const TOKEN_HOOK = "com.okta.oauth2.tokens.transform";

function ClientsSummary({ policy, finders }: { policy: Policy; finders: Finders }) {
  const include = policy.conditions.clients.include;
  useLabels("app", finders.apps, include.includes(ALL_CLIENTS) ? [] : include);
  return (
    <p class="scope-text break">
      {include.includes(ALL_CLIENTS)
        ? "All clients"
        : `Clients: ${include.map((id) => labelOf("app", id)).join(", ")}`}
      {policy.description ? ` — ${policy.description}` : ""}
    </p>
  );
}

export function Policies({
  session,
  server,
  canWrite,
}: {
  session: Session;
  server: AuthorizationServer;
  canWrite: boolean;
}) {
  const path = `/authorizationServers/${encodeURIComponent(server.id)}/policies`;
  const finders = useMemo(() => findersFor(session), [session]);
  const {
    value: policies,
    failure,
    reload,
  } = useLoad(() => api<Policy[]>(session, "GET", path), [session, path]);
  const scopes = useLoad(
    () => api<Scope[]>(session, "GET", `/authorizationServers/${encodeURIComponent(server.id)}/scopes`),
    [session, server.id],
  );
  // Hooks are another resource (okta.inlineHooks.read): without that right the rule form offers none.
  const hooks = useLoad(
    () =>
      api<{ id: string; name: string }[]>(session, "GET", `/inlineHooks?type=${TOKEN_HOOK}`).then((list) =>
        list.map((h): HookOption => ({ id: h.id, name: h.name })),
      ),
    [session],
  );
  const [selectedId, setSelectedId] = useState<string | undefined>(undefined);
  const [adding, setAdding] = useState(false);
  const rows = useRows<PolicyDraft, Policy>({
    session,
    path,
    noun: "Policy",
    bodyOf: policyBody,
    reload,
    onCreated: (created) => {
      setAdding(false);
      setSelectedId(created.id);
    },
  });
  const {
    editing,
    setEditing,
    confirming,
    setConfirming,
    writeFailure,
    status,
    create,
    update,
    ask,
    write,
    remove,
  } = rows;

  const ordered = inPriorityOrder(policies ?? []);
  // The chosen policy, or the first one: the one whose rules Okta's console shows on arrival. The
  // first is remembered, so a reorder that moves it away from the top keeps its rules on screen.
  const selected = ordered.find((p) => p.id === selectedId) ?? ordered[0];
  useEffect(() => {
    if (selected && selected.id !== selectedId) setSelectedId(selected.id);
  }, [selected?.id, selectedId]);
  // An update (policyBody) sends no priority: the server keeps the policy's current place, even if
  // someone moved it meanwhile.
  const policyUrl = rows.at;
  const lifecycle = (policy: Policy) => {
    const activate = policy.status !== "ACTIVE";
    return write(`Policy ${policy.name} ${activate ? "activated" : "deactivated"}.`, () =>
      api(session, "POST", `${policyUrl(policy)}/lifecycle/${activate ? "activate" : "deactivate"}`),
    );
  };
  // Read again just before the PUT (it replaces the whole policy): a move never undoes another's edit.
  const move = async (policy: Policy, priority: number) => {
    const current = await api<Policy>(session, "GET", policyUrl(policy));
    return (await api<Policy>(session, "PUT", policyUrl(policy), policyMoveBody(current, priority))).priority;
  };

  return (
    <div class="policies">
      <section aria-labelledby="policies-title" class="panel">
        <h2 id="policies-title">Access policies</h2>
        <p class="hint">
          Evaluated in this order: the first active policy that covers the client decides, by its rules.
        </p>
        <p class="saved" role="status">
          {status}
        </p>
        <FormError failure={failure ?? writeFailure} fields={[]} />
        {policies === undefined && !failure ? <Notice>Loading…</Notice> : null}
        {policies?.length === 0 ? (
          <Notice>No access policies yet: this server issues no token.</Notice>
        ) : null}
        {ordered.length ? (
          <ReorderList
            kind="Policy"
            idPrefix="policy"
            label="Access policies, in priority order"
            items={ordered}
            canWrite={canWrite}
            move={move}
            reload={reload}
            rowClass={(p) =>
              [p.id === selected?.id ? "selected" : "", p.status === "ACTIVE" ? "" : "inactive-row"].join(" ")
            }
            row={(policy) =>
              editing === policy.id ? (
                <PolicyForm
                  idPrefix={`edit-${policy.id}`}
                  title={`Edit policy ${policy.name}`}
                  initial={policyDraftOf(policy)}
                  submitLabel={`Save policy ${policy.name}`}
                  canWrite={canWrite}
                  finders={finders}
                  submit={update(policy)}
                  cancel={() => setEditing(undefined)}
                />
              ) : (
                <>
                  <div class="scope-head">
                    <button
                      type="button"
                      class="pick"
                      aria-pressed={policy.id === selected?.id}
                      onClick={() => setSelectedId(policy.id)}
                    >
                      {policy.name}
                    </button>
                    <span class={`status ${policy.status.toLowerCase()}`}>
                      {policy.status === "ACTIVE" ? "Active" : "Inactive"}
                    </span>
                  </div>
                  <ClientsSummary policy={policy} finders={finders} />
                  {confirming === policy.id ? (
                    <Confirm
                      confirmLabel={`Yes, delete policy ${policy.name}`}
                      disabled={!canWrite}
                      confirm={() => void remove(policy)}
                      keep={() => setConfirming(undefined)}
                      returnFocusTo={`delete-policy-${policy.id}`}
                    >
                      Delete policy {policy.name} and its rules? Clients it covered fall to the next policy,
                      or get no token.
                    </Confirm>
                  ) : (
                    <RowActions
                      noun="policy"
                      row={policy}
                      disabled={!canWrite}
                      edit={() => setEditing(policy.id)}
                      lifecycle={() => void lifecycle(policy)}
                      ask={() => ask(policy)}
                    />
                  )}
                </>
              )
            }
          />
        ) : null}
        {adding ? (
          <PolicyForm
            idPrefix="new-policy"
            title="Add policy"
            initial={NEW_POLICY}
            submitLabel="Create policy"
            canWrite={canWrite}
            finders={finders}
            submit={create}
            cancel={() => setAdding(false)}
          />
        ) : (
          <div class="actions">
            <button type="button" class="primary" disabled={!canWrite} onClick={() => setAdding(true)}>
              Add policy
            </button>
          </div>
        )}
      </section>
      {selected ? (
        <section class="panel" aria-label={`Policy ${selected.name}`}>
          <PolicyRules
            key={selected.id}
            session={session}
            policyPath={policyUrl(selected)}
            policy={selected}
            canWrite={canWrite}
            finders={finders}
            scopes={scopes.value ?? []}
            hooks={hooks.value ?? []}
          />
        </section>
      ) : null}
    </div>
  );
}
