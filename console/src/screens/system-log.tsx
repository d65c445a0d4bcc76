/**
 * The System Log (`#/logs`, Okta's `/api/v1/logs`): events newest first (`sortOrder=DESCENDING`),
 * filtered by time (`since` / `until`), event type and outcome (a SCIM `filter` built by
 * console/src/people.ts), the admin's own filter expression and keywords (`q`), a page at a time
 * ("Older events" follows `Link: rel="next"`). Each event opens to its actor, client, outcome,
 * targets, transaction and debugContext (a policy denial's trace is there). A search the server
 * refuses shows its errorSummary, and the cause beside the field it names.
 */
import { useState } from "preact/hooks";
import type { Session } from "../auth";
import { EMPTY_LOG_SEARCH, LOG_OUTCOMES, type LogSearch, logsPath } from "../people";
import type { LogEvent } from "../types";
import { Field, FormError, Notice } from "../ui";
import { usePages } from "./use-pages";

/** The query parameters the server can name in a refusal, each shown at its field. */
const FIELDS = ["since", "until", "filter", "q"];

function outcomeClass(result: string): string {
  return result === "SUCCESS" || result === "ALLOW"
    ? "ok"
    : result === "FAILURE" || result === "DENY"
      ? "bad"
      : "";
}

function EventDetails({ event }: { event: LogEvent }) {
  const ua = event.client?.userAgent?.rawUserAgent;
  const debug = event.debugContext?.debugData ?? {};
  return (
    <dl class="facts event-facts">
      <dt>Actor</dt>
      <dd class="break">
        {event.actor.displayName ?? event.actor.alternateId ?? event.actor.id} ({event.actor.type}
        {event.actor.alternateId ? `, ${event.actor.alternateId}` : ""}, {event.actor.id})
      </dd>
      <dt>Client IP</dt>
      <dd class="break">{event.client?.ipAddress ?? "—"}</dd>
      <dt>User agent</dt>
      <dd class="break">{ua ?? "—"}</dd>
      <dt>Outcome</dt>
      <dd class="break">
        {event.outcome.result}
        {event.outcome.reason ? `: ${event.outcome.reason}` : ""}
      </dd>
      <dt>Severity</dt>
      <dd>{event.severity}</dd>
      <dt>Targets</dt>
      <dd>
        {event.target?.length ? (
          <ul class="targets">
            {event.target.map((t) => (
              <li key={`${t.type}:${t.id}`} class="break">
                {t.displayName ?? t.alternateId ?? t.id} (
                {[t.type, t.alternateId, t.id].filter(Boolean).join(", ")})
              </li>
            ))}
          </ul>
        ) : (
          "—"
        )}
      </dd>
      <dt>Transaction</dt>
      <dd class="break">
        {event.transaction?.type ?? "—"} {event.transaction?.id ?? ""}
      </dd>
      <dt>Event id</dt>
      <dd class="break code">{event.uuid}</dd>
      <dt>Debug context</dt>
      <dd>{Object.keys(debug).length ? <pre class="json">{JSON.stringify(debug, null, 2)}</pre> : "—"}</dd>
    </dl>
  );
}

export function SystemLog({ session }: { session: Session }) {
  const [typed, setTyped] = useState<LogSearch>(EMPTY_LOG_SEARCH);
  const [search, setSearch] = useState<LogSearch>(EMPTY_LOG_SEARCH);
  const { items: events, next, failure, busy, more, reload } = usePages<LogEvent>(session, logsPath(search));
  const set = (key: keyof LogSearch, value: string) => setTyped((t) => ({ ...t, [key]: value }));

  const text = (key: "eventType" | "q" | "advanced", label: string, field: string, hint: string) => (
    <Field id={`log-${key}`} label={label} field={field} failure={failure} hint={hint}>
      {(p) => <input {...p} value={typed[key]} onInput={(e) => set(key, e.currentTarget.value)} />}
    </Field>
  );

  return (
    <section aria-labelledby="page-title" class="people">
      <h1 id="page-title" tabIndex={-1}>
        System log
      </h1>
      <form
        aria-label="System log"
        class="log-form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          // The same search again asks the server again (newer events may have arrived).
          if (JSON.stringify(typed) === JSON.stringify(search)) void reload();
          else setSearch({ ...typed });
        }}
      >
        <FormError failure={failure} fields={FIELDS} />
        <div class="log-fields">
          <Field
            id="log-since"
            label="Since"
            field="since"
            failure={failure}
            hint="Your local time; 7 days ago if empty."
          >
            {(p) => (
              <input
                {...p}
                type="datetime-local"
                value={typed.since}
                onInput={(e) => set("since", e.currentTarget.value)}
              />
            )}
          </Field>
          <Field
            id="log-until"
            label="Until"
            field="until"
            failure={failure}
            hint="Your local time; now if empty."
          >
            {(p) => (
              <input
                {...p}
                type="datetime-local"
                value={typed.until}
                onInput={(e) => set("until", e.currentTarget.value)}
              />
            )}
          </Field>
          {text(
            "eventType",
            "Event type",
            "eventType",
            "An event type or its beginning, e.g. user.lifecycle",
          )}
          <Field id="log-outcome" label="Outcome" field="outcome" failure={failure}>
            {(p) => (
              <select {...p} value={typed.outcome} onChange={(e) => set("outcome", e.currentTarget.value)}>
                <option value="">Any outcome</option>
                {LOG_OUTCOMES.map((o) => (
                  <option key={o} value={o}>
                    {o}
                  </option>
                ))}
              </select>
            )}
          </Field>
          {text("q", "Keywords", "q", "Words every event shown contains.")}
          {text("advanced", "Filter expression", "filter", 'Okta filter syntax, e.g. target.id eq "00u…"')}
        </div>
        <div class="actions">
          <button type="submit" class="primary" disabled={busy}>
            Search events
          </button>
          <button
            type="button"
            onClick={() => {
              setTyped(EMPTY_LOG_SEARCH);
              setSearch(EMPTY_LOG_SEARCH);
            }}
          >
            Clear filters
          </button>
        </div>
      </form>
      {events === undefined && !failure ? <Notice>Loading…</Notice> : null}
      {events?.length === 0 ? <Notice>No events match.</Notice> : null}
      {events?.length ? (
        <ol class="events" aria-label="Events, newest first" aria-busy={busy}>
          {events.map((event) => (
            <li key={event.uuid}>
              <details>
                <summary>
                  <span class="event-head">
                    <time dateTime={event.published}>{new Date(event.published).toLocaleString()}</time>
                    <span class={`status ${outcomeClass(event.outcome.result)}`}>{event.outcome.result}</span>
                    <span class="break">{event.displayMessage}</span>
                  </span>
                  <span class="event-sub break">
                    <span class="code">{event.eventType}</span> by{" "}
                    {event.actor.alternateId ?? event.actor.displayName ?? event.actor.id}
                  </span>
                </summary>
                <EventDetails event={event} />
              </details>
            </li>
          ))}
        </ol>
      ) : null}
      {next ? (
        <button type="button" class="more" disabled={busy} onClick={() => void more()}>
          Older events
        </button>
      ) : null}
    </section>
  );
}
