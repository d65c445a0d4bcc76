/**
 * The admin console (README "Admin console"): a Preact app served as static assets at /admin.
 * Routes are hash routes (`#/servers`, `#/servers/<id>/keys`, `#/apps/<id>`: console/src/parse.ts),
 * so every screen is the one index.html and the Worker never sees a console path; /admin/callback and /admin/signed-out are copies of it.
 */
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { whenUnauthorized } from "./api";
import { completeSignIn, type Session, SignInError, signOut, startSignIn } from "./auth";
import { manageScope, RESOURCES, type Resource } from "./config";
import { type List, type Route, routeOf, safeReturn } from "./parse";
import { AppDetail, AppsList } from "./screens/apps";
import { GroupDetail, GroupsList } from "./screens/groups";
import { HookDetail, HooksList } from "./screens/hooks";
import { ServerDetail } from "./screens/server-detail";
import { ServersList } from "./screens/servers-list";
import { SystemLog } from "./screens/system-log";
import { UserDetail, UsersList } from "./screens/users";
import { ReadOnlyBanner } from "./ui";

function useHashRoute(): Route {
  const [route, setRoute] = useState(routeOf(location.hash));
  useEffect(() => {
    const changed = () => {
      setRoute(routeOf(location.hash));
      // Keyboard and screen-reader users land on the new screen's heading.
      requestAnimationFrame(() => document.getElementById("page-title")?.focus());
    };
    addEventListener("hashchange", changed);
    return () => removeEventListener("hashchange", changed);
  }, []);
  return route;
}

/** The main navigation: each list, and the route screens that belong to it (for aria-current). */
const NAV: readonly { list: List; label: string; owns: readonly Route["screen"][] }[] = [
  { list: "servers", label: "Authorization servers", owns: ["servers", "server"] },
  { list: "apps", label: "Applications", owns: ["apps", "app"] },
  { list: "users", label: "Users", owns: ["users", "user"] },
  { list: "groups", label: "Groups", owns: ["groups", "group"] },
  { list: "hooks", label: "Inline hooks", owns: ["hooks", "hook"] },
  { list: "logs", label: "System log", owns: ["logs"] },
];

/** The screen of a route; `can(resource)`: whether the admin's token may change that resource. */
function Screen({ route, session }: { route: Route; session: Session }) {
  const can = (resource: Resource) => session.scopes.has(manageScope(resource));
  switch (route.screen) {
    case "servers":
      return <ServersList session={session} canWrite={can("authorizationServers")} />;
    case "server":
      return (
        <ServerDetail
          key={route.id}
          session={session}
          serverId={route.id}
          tab={route.tab}
          canWrite={can("authorizationServers")}
        />
      );
    case "apps":
      return <AppsList session={session} canWrite={can("apps")} />;
    case "app":
      return <AppDetail key={route.id} session={session} id={route.id} canWrite={can("apps")} />;
    case "users":
      return <UsersList session={session} canWrite={can("users")} />;
    case "user":
      return <UserDetail key={route.id} session={session} id={route.id} canWrite={can("users")} />;
    case "groups":
      return <GroupsList session={session} canWrite={can("groups")} />;
    case "group":
      return <GroupDetail key={route.id} session={session} id={route.id} canWrite={can("groups")} />;
    case "hooks":
      return <HooksList session={session} canWrite={can("inlineHooks")} />;
    case "hook":
      return <HookDetail key={route.id} session={session} id={route.id} canWrite={can("inlineHooks")} />;
    case "logs":
      return <SystemLog session={session} />;
  }
}

function Console({ session }: { session: Session }) {
  const route = useHashRoute();
  // The banner speaks for the whole console: a read-only admin can change nothing.
  const canWriteAny = RESOURCES.some((r) => session.scopes.has(manageScope(r)));
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href="#/servers">
          Warden Admin
        </a>
        <nav aria-label="Main">
          {NAV.map((item) => (
            <a
              key={item.list}
              href={`#/${item.list}`}
              aria-current={item.owns.includes(route.screen) ? "page" : undefined}
            >
              {item.label}
            </a>
          ))}
        </nav>
        <div class="who">
          <span class="break">{session.login}</span>
          <button type="button" onClick={() => signOut(session)}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main">
        <ReadOnlyBanner canWrite={canWriteAny} />
        <Screen route={route} session={session} />
      </main>
    </>
  );
}

function Message({ title, text, action }: { title: string; text: string; action: string }) {
  return (
    <main id="main" class="message">
      <h1>{title}</h1>
      <p>{text}</p>
      <button type="button" class="primary" onClick={() => void startSignIn("#/servers")}>
        {action}
      </button>
    </main>
  );
}

type State =
  | { kind: "loading" }
  | { kind: "in"; session: Session }
  | { kind: "out" }
  | { kind: "error"; message: string };

function App() {
  const [state, setState] = useState<State>({ kind: "loading" });
  useEffect(() => {
    const path = location.pathname.replace(/\/+$/, "");
    if (path === "/admin/signed-out") {
      setState({ kind: "out" });
      return;
    }
    if (path !== "/admin/callback") {
      void startSignIn(safeReturn(location.hash));
      return;
    }
    completeSignIn().then(
      (session) => {
        // A refused token (expired, role removed): sign in again, back to the same screen.
        whenUnauthorized(() => void startSignIn(safeReturn(location.hash)));
        setState({ kind: "in", session });
      },
      (error: unknown) =>
        setState({ kind: "error", message: error instanceof SignInError ? error.message : String(error) }),
    );
  }, []);
  switch (state.kind) {
    case "loading":
      return <p class="notice">Signing in…</p>;
    case "in":
      return <Console session={state.session} />;
    case "out":
      return <Message title="Signed out" text="You have signed out of Warden." action="Sign in again" />;
    case "error":
      return <Message title="Sign-in failed" text={state.message} action="Try again" />;
  }
}

const root = document.getElementById("app");
if (root) {
  root.textContent = "";
  render(<App />, root);
}
