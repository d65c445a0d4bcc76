/** latest.json → latest.md: the tables bench/README.md links, every number taken from the run. */
import { DISTURBED_CORES } from "./summary.mjs";

const RUNTIME_LABELS = {
  miniflare: "workerd (Miniflare, direct socket)",
  "miniflare-entry": "workerd (Miniflare entry Worker)",
  node: "Node (node-oidc-provider)",
  "wrangler-dev": "wrangler dev",
};

const num = (v, digits = 0) =>
  v == null || !Number.isFinite(v)
    ? "–"
    : v.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
const ms = (v) => (v == null ? "–" : v < 1 ? num(v, 3) : num(v, 2));
const pct = (v) => (v == null ? "–" : `${num(v * 100, 0)} %`);
const times = (v) => (v == null ? "–" : `${num(v, 2)}×`);

function table(headers, rows) {
  const line = (cells) => `| ${cells.join(" | ")} |`;
  return [line(headers), line(headers.map(() => "---")), ...rows.map(line)].join("\n");
}

function loadRow(c, extra = []) {
  return [
    c.label,
    num(c.rps),
    `${num(c.rpsMin)}–${num(c.rpsMax)} (${c.runsUsed}/${c.runs.length})`,
    ms(c.p50Ms),
    ms(c.p99Ms),
    ms(c.cpuMsPerRequest),
    ...extra,
  ];
}
const LOAD_HEADERS = [
  "case",
  "req/s (median)",
  "req/s (range, runs used)",
  "p50 ms",
  "p99 ms",
  "server CPU ms/req",
];

function targetValue(t) {
  if (t.value == null) return "–";
  // Ratios are stated by throughput, the target's measure, with CPU per request beside them.
  const byCpu = (text) => (t.cpu == null ? "" : ` (by CPU: ${text})`);
  switch (t.unit) {
    case "ratio":
      return `${pct(t.value)}${byCpu(pct(t.cpu))}`;
    case "×":
      return `${times(t.value)}${byCpu(times(t.cpu))}`;
    case "µs":
      return `${num(t.value, 1)} µs`;
    case "KiB":
      return `${num(t.value, 1)} KiB`;
    default:
      return num(t.value, 2);
  }
}

function workerLogSection(entries) {
  if (entries.length === 0) return "\n\nThe Worker logged no error or warning under load.";
  const lines = entries.map((e) => `- ${e.count} × \`${e.message.slice(0, 200)}\``);
  return `\n\nWhat the Worker logged on Miniflare under load (errors and warnings, by first line):\n\n${lines.join("\n")}`;
}

function failuresByCase(cases) {
  const failing = cases.filter(
    (c) => c.errors || c.errorsOutsideWindows || c.warmup?.errors || c.failedRuns.length,
  );
  if (failing.length === 0) return "";
  const detail = failing.map(
    (c) =>
      `${c.id}: ${c.errors} in measured windows, ${c.errorsOutsideWindows + (c.warmup?.errors ?? 0)} outside, ` +
      `${c.failedRuns.length} failed runs${c.firstError ? ` (first: \`${c.firstError.slice(0, 80)}\`)` : ""}`,
  );
  return `\n\nFailures by case:\n\n${detail.map((d) => `- ${d}`).join("\n")}`;
}

function profileSections(profiles) {
  const out = [];
  for (const p of profiles) {
    out.push(
      `### CPU profile: ${p.case}`,
      "",
      `V8 sampling profile of the Worker's thread over ${num(p.requests)} requests (${num(p.rps)} req/s with the ` +
        `inspector attached): ${num(p.busyMs)} ms busy, ${num(p.idleMs)} ms idle. Natives count for the bundled ` +
        "function that called them.",
      "",
      table(
        ["source module", "share of busy time"],
        p.modules.slice(0, 10).map((m) => [m.name, pct(m.share)]),
      ),
      "",
      table(
        ["function — module", "share of busy time"],
        p.functions.slice(0, 10).map((f) => [f.name, pct(f.share)]),
      ),
      "",
    );
  }
  return out;
}

/** The authorization code flow: the sequential round trip, and the code exchange against its ceiling. */
function codeFlowSection(codeFlow, of) {
  if (!codeFlow?.roundTrip) return [];
  const rt = codeFlow.roundTrip;
  const step = (name, s) => [name, ms(s.p50), ms(s.p99)];
  return [
    "## The authorization code flow — workerd (Miniflare, direct socket)",
    "",
    `Round trip, ${rt.runs} sequential flows, each from a fresh browser: GET /v1/authorize → the hosted page → ` +
      "POST the sign-in form (one PBKDF2 check) → 302 with the code → POST /v1/token (openid: access and ID token). " +
      `Wall-clock ms${rt.runs < 100 ? "; with fewer than 100 flows p99 is the slowest" : ""}.`,
    "",
    table(
      ["step", "p50 ms", "p99 ms"],
      [
        step("authorize (the page)", rt.authorize),
        step("sign-in (form → code)", rt.signIn),
        step("token (code → tokens)", rt.token),
        step("**whole round trip**", rt.total),
      ],
    ),
    "",
    "The code exchange under load (a fresh code per request, access token only: one signature), and its ceiling: " +
      "one Grant Durable Object `redeem` and one signature of a fixed claim set, on codes minted the same way. " +
      `Warden reaches ${pct(codeFlow.ofCeilingByThroughput)} of the ceiling by req/s, ${pct(codeFlow.ofCeilingByCpu)} by CPU. ` +
      `Against node-oidc-provider's code exchange (in-memory store, codes minted by its own models): ` +
      `${codeFlow.vsPeerByThroughput == null ? "–" : `${num(codeFlow.vsPeerByThroughput, 2)}×`} by req/s, ` +
      `${codeFlow.vsPeerByCpu == null ? "–" : `${num(codeFlow.vsPeerByCpu, 2)}×`} by CPU per token.`,
    "",
    table(
      [...LOAD_HEADERS],
      of((c) => c.kind === "token-code" || c.kind === "ceiling-code" || c.kind === "peer-code").map((c) =>
        loadRow(c),
      ),
    ),
    "",
  ];
}

/** The refresh_token grant and introspection (issue 12): each against its ceiling and the peer. */
function refreshSection(refresh, of) {
  if (!refresh) return [];
  const cmp = (r) => [
    r.case,
    pct(r.ofCeilingByThroughput),
    pct(r.ofCeilingByCpu),
    r.vsPeerByThroughput == null ? "–" : times(r.vsPeerByThroughput),
    r.vsPeerByCpu == null ? "–" : times(r.vsPeerByCpu),
  ];
  return [
    "## The refresh_token grant — workerd (Miniflare, direct socket)",
    "",
    "Families opened by real code exchanges with `offline_access` before the load (lib/refresh.mjs). " +
      "*Many*: each request refreshes a different family, in turn over all of them; ROTATE requests carry their " +
      "family's latest token (the load client chains). *Hot*: STATIC, every request the same token; ROTATE, one " +
      "family per connection, chained. The ceiling is one Grant Durable Object `refresh` and one ES256 signature " +
      "on the same tokens; the peer is node-oidc-provider's `refresh_token` grant (in-memory store), rotating " +
      "for the ROTATE client and not for the STATIC one.",
    "",
    table(
      [...LOAD_HEADERS],
      of((c) => ["token-refresh", "ceiling-refresh", "peer-refresh"].includes(c.kind)).map((c) => loadRow(c)),
    ),
    "",
    table(
      ["case", "of ceiling (req/s)", "of ceiling (CPU)", "Warden ÷ peer (req/s)", "peer ÷ Warden (CPU)"],
      refresh.refresh.map(cmp),
    ),
    "",
    "## Introspection — workerd (Miniflare, direct socket)",
    "",
    "`POST /v1/introspect` with client_secret_basic, the STATIC families' access tokens (signature, claims, the " +
      "grant's `isActive`) and refresh tokens (the grant's `introspectRefresh`, the user's status in D1), in turn. " +
      "Ceilings: one ES256 signature check and one `isActive`; one `introspectRefresh`.",
    "",
    table(
      [...LOAD_HEADERS],
      of((c) => c.kind === "introspect" || c.kind === "ceiling-introspect").map((c) => loadRow(c)),
    ),
    "",
    table(
      ["tokens", "of ceiling (req/s)", "of ceiling (CPU)"],
      refresh.introspection.map((r) => [r.case, pct(r.ofCeilingByThroughput), pct(r.ofCeilingByCpu)]),
    ),
    "",
  ];
}

export function renderMarkdown(result) {
  const { meta, cases, comparisons, breakdown, targets, micro, size, startup } = result;
  const byId = new Map(cases.map((c) => [c.id, c]));
  const of = (predicate) => cases.filter(predicate);
  const ceilingRatio = (c) => comparisons.vsCeiling.find((r) => r.alg === c.alg && r.rules === c.rules);
  const peerRatio = (c) => comparisons.vsPeer.find((r) => r.alg === c.alg && r.rules === c.rules);
  const out = [];

  out.push(
    "# Warden benchmark results",
    "",
    `Run ${meta.finishedAt} (${meta.mode} mode, ${num(meta.elapsedSeconds)} s) of commit ${meta.source?.commit?.slice(0, 7) ?? "unknown"}` +
      `${meta.source?.workerSourceModified ? " with uncommitted changes to the Worker" : ""} ` +
      `on ${meta.machine.cores} × ${meta.machine.cpu}; ` +
      `Node ${meta.machine.node}, workerd ${meta.machine.workerd}, node-oidc-provider ${meta.machine.oidcProvider}. ` +
      `Load: ${meta.load.connections} keep-alive connections from a separate process, ${meta.load.rounds} interleaved ` +
      `runs of ${num(meta.load.durationMs / 1000, 1)} s per case (after ${num(meta.load.warmupMs / 1000, 1)} s of discarded warm-up). ` +
      `Medians of the runs during which other work on the machine used at most ${DISTURBED_CORES} cores (of all runs when fewer than two were that quiet); ` +
      "the range is the slowest and fastest of those runs. Server CPU is the server processes' " +
      "user + system time over the measured window divided by the requests answered in it.",
    "",
    "![throughput chart](chart.svg)",
    "",
    "## Targets",
    "",
    table(
      ["target", "measured", "met"],
      targets.map((t) => [t.target, targetValue(t), t.met == null ? "–" : t.met ? "yes" : "**no**"]),
    ),
    "",
    "## Token endpoint against the ceiling — workerd (Miniflare, direct socket)",
    "",
    table(
      [...LOAD_HEADERS, "vs ceiling (req/s)", "vs ceiling (CPU)"],
      of((c) => c.runtime === "miniflare" && (c.kind === "ceiling" || c.kind === "token")).map((c) =>
        loadRow(
          c,
          c.kind === "token" ? [pct(ceilingRatio(c)?.throughput), pct(ceilingRatio(c)?.cpu)] : ["", ""],
        ),
      ),
    ),
    "",
    "## Where the time goes — ES256, 20 rules",
    "",
    "Each step runs Warden's own functions up to that point, then signs like the ceiling (see bench/README.md). " +
      "Δ is the step's own CPU per request.",
    "",
    table(
      ["path up to", "req/s", "server CPU ms/req", "Δ CPU ms/req"],
      breakdown.map((r) => [
        r.step,
        num(r.rps),
        ms(r.cpuMsPerRequest),
        r.deltaCpuMs == null ? "" : ms(r.deltaCpuMs),
      ]),
    ),
    "",
    ...profileSections(result.profiles ?? []),
    ...codeFlowSection(result.codeFlow, of),
    ...refreshSection(result.refresh, of),
    "## Against the peer — node-oidc-provider on Node, same machine",
    "",
    table(
      [...LOAD_HEADERS, "Warden ÷ peer (req/s)", "peer ÷ Warden (CPU)"],
      [
        ...of((c) => c.kind === "peer").map((c) => loadRow(c, ["", ""])),
        ...of((c) => c.runtime === "miniflare" && c.kind === "token" && c.rules !== 200).map((c) =>
          loadRow(c, [times(peerRatio(c)?.throughput), times(peerRatio(c)?.cpu)]),
        ),
      ],
    ),
    "",
    "## JWKS",
    "",
    table(
      LOAD_HEADERS,
      of((c) => ["jwks", "jwks-304", "jwks-alternative"].includes(c.kind)).map((c) => loadRow(c)),
    ),
    "",
    "## The same Worker behind other front ends",
    "",
    table(
      ["case", "front end", "req/s", "p50 ms", "p99 ms", "server CPU ms/req"],
      [
        "mf-floor",
        "mf-entry-floor",
        "mf-token-ES256-20",
        "mf-entry-token-ES256-20",
        "dev-token-ES256-20",
        "mf-token-RS256-20",
        "dev-token-RS256-20",
        "mf-jwks",
        "dev-jwks",
      ]
        .map((id) => byId.get(id))
        .filter(Boolean)
        .map((c) => [
          c.label,
          RUNTIME_LABELS[c.runtime],
          num(c.rps),
          ms(c.p50Ms),
          ms(c.p99Ms),
          ms(c.cpuMsPerRequest),
        ]),
    ),
    "",
    `## Micro — plain Node ${micro.node}`,
    "",
    table(
      ["operation", "median µs/op", "fastest batch µs/op"],
      micro.results.map((r) => [r.label, num(r.nsPerOp / 1000, 2), num(r.minNsPerOp / 1000, 2)]),
    ),
    "",
    "## Size and start-up",
    "",
    table(
      ["measure", "value"],
      [
        ["deployable bundle (`wrangler deploy --dry-run`), raw", `${num(size.rawBytes / 1024, 1)} KiB`],
        ["deployable bundle, gzipped", `${num(size.gzipBytes / 1024, 1)} KiB`],
        ["start-up CPU (`wrangler check startup`, median)", `${ms(startup.startupCpuMs)} ms`],
        ["Miniflare ready (new workerd process, median)", `${ms(startup.readyMs)} ms`],
        [`first token on a cold isolate (${startup.server}, median)`, `${ms(startup.firstTokenMs)} ms`],
        ["the next token on that isolate (median)", `${ms(startup.warmTokenMs)} ms`],
        ...(startup.startupCpuTimeMs == null
          ? []
          : [
              ["start-up CPU time (workerd threads, median)", `${ms(startup.startupCpuTimeMs)} ms`],
              [
                "first / next token, workerd CPU (median)",
                `${ms(startup.firstTokenCpuMs)} / ${ms(startup.warmTokenCpuMs)} ms` +
                  (startup.firstOverNextCpu == null ? "" : ` (${times(startup.firstOverNextCpu)})`),
              ],
            ]),
        // The floor (bench/floor-entry.ts, measured in the same run): the runtime's own first ÷ next.
        ...Object.entries(startup.floor ?? {}).map(([alg, f]) => [
          `token floor ${alg} (bench/floor-entry.ts, a minimal jose token Worker): first / next token, workerd CPU (median)`,
          `${ms(f.firstTokenCpuMs)} / ${ms(f.warmTokenCpuMs)} ms (${times(f.firstOverNextCpu)})`,
        ]),
        ...(startup.firstTokenAboveFloorCpuMs == null
          ? []
          : [
              [
                `first token above the token floor's (${startup.floorAlg}), workerd CPU (median)`,
                `${ms(startup.firstTokenAboveFloorCpuMs)} ms`,
              ],
            ]),
        ...(startup.otherServerFirstCpuMs == null
          ? []
          : [
              [
                "another server's first token on the warm isolate, CPU (median)",
                `${ms(startup.otherServerFirstCpuMs)} ms`,
              ],
              [
                "first token with Miniflare's KV / Cache Workers cold too, CPU (median)",
                `${ms(startup.rawFirstTokenCpuMs)} ms`,
              ],
            ]),
      ],
    ),
    "",
    "## Noise",
    "",
    `CPU used by anything but the server under test and the load generator during the measured windows: ` +
      `median ${num(meta.noise.medianBackgroundCores, 2)} cores, worst run ${num(meta.noise.maxBackgroundCores, 2)} cores ` +
      `(the machine has ${meta.machine.cores}). Load generator: median ${num(meta.noise.medianClientCores, 2)} cores.` +
      (meta.noise.errors
        ? ` **${meta.noise.errors} requests failed** in measured runs (see latest.json).`
        : " No request failed in a measured run.") +
      (meta.noise.warmupErrors
        ? ` **${meta.noise.warmupErrors} failed outside measured windows (warm-ups).**`
        : "") +
      (meta.noise.failedRuns
        ? ` **${meta.noise.failedRuns} runs failed** and are left out of the medians.`
        : "") +
      ` Waited ${num(meta.noise.quietWaitMs / 1000, 1)} s in total for a quiet machine before runs.` +
      failuresByCase(cases) +
      workerLogSection(result.workerLog ?? []),
    "",
  );
  if (result.passwords) out.push(...passwordSection(result.passwords));
  if (result.passwordGrant) out.push(...passwordGrantSection(result, byId));
  return out.join("\n");
}

/** The password grant beside client_credentials, and where its CPU goes (summary.mjs `passwordGrant`). */
function passwordGrantSection(result, byId) {
  const pw = result.passwordGrant;
  const rows = [pw.id, ...pw.clientCredentials.map((c) => c.id)]
    .map((id) => byId.get(id))
    .filter(Boolean)
    .map((c) => {
      const cc = pw.clientCredentials.find((x) => x.id === c.id);
      return loadRow(c, [cc ? times(cc.rpsRatio) : "", cc ? times(cc.cpuRatio) : ""]);
    });
  return [
    "## Password grant beside client_credentials — workerd (Miniflare, direct socket)",
    "",
    `The same Worker and run; the password grant's server has the same ${pw.rules} rules (each for the ` +
      "`password` grant and a group its users are in), its client is assigned that group, and requests " +
      "take the seeded users in turn (one username's sign-ins are rate limited). Every token was verified " +
      "against the server's JWKS before the load.",
    "",
    table(
      [...LOAD_HEADERS, "client_credentials ÷ password (req/s)", "password ÷ client_credentials (CPU)"],
      rows,
    ),
    "",
    "Where a password-grant token's CPU goes:",
    "",
    table(
      ["part", "CPU ms per token", "share"],
      [
        [
          "the whole grant under load (above; workerd's CPU: the Worker and Miniflare's local D1)",
          ms(pw.cpuMsPerRequest),
          "100 %",
        ],
        [
          "`hashPassword` alone: one PBKDF2-SHA-256, 600,000 iterations (Passwords, above)",
          ms(pw.hashAloneCpuMs),
          pct(pw.hashShare),
        ],
        [
          "the rest: client auth, D1 statements, groups and assignment, policy, claims, signature",
          ms(pw.restCpuMs),
          pct(pw.hashShare == null ? null : 1 - pw.hashShare),
        ],
      ],
    ),
    "",
    `The rest is ${times(pw.restVsClientCredentials)} a client_credentials token's CPU. The CPU profile of the ` +
      'grant (section "CPU profile: password grant ES256, 20 rules", taken under this load) puts ' +
      `${pct(pw.profileHashShare)} of the Worker isolate's busy time in \`src/directory/password-hash.ts\` ` +
      "(PBKDF2, a WebCrypto native, counts for its caller); it sees the isolate's thread only, not the local D1's " +
      "SQLite. The hash alone was measured at another moment than the load, so on a busy machine the two splits differ.",
    "",
  ];
}

/** Passwords on workerd (bench/lib/passwords.mjs): CPU per hash and per check, D1 per statement. */
export function passwordSection(p) {
  const cpuRow = (label, c) => [
    label,
    ms(c.cpuMs),
    `${ms(c.cpuMinMs)}–${ms(c.cpuMaxMs)}`,
    ms(c.wallMs),
    `${num((c.cpuMs / p.limitsMs.paidDefault) * 100, 2)} %`,
    num(c.cpuMs / p.limitsMs.free, 1),
  ];
  const d1Row = (label, d) => [label, num(d.meanMs, 2), `${num(d.minMs, 2)}–${num(d.maxMs, 2)}`];
  return [
    "## Passwords — workerd (Miniflare), local D1",
    "",
    `${p.function}. CPU of the workerd processes around one request at a time, ${p.cpu.hash.perRequest} calls per request ` +
      `(the clock ticks in ${num(p.clockTickMs)} ms), median of ${p.cpu.hash.runs} requests; against Workers' ` +
      `CPU limits per request: ${num(p.limitsMs.paidDefault / 1000)} s (paid plan default) and ${num(p.limitsMs.free)} ms (free plan).`,
    "",
    table(
      ["call", "CPU ms", "range", "wall ms", "of the paid limit", "× the free limit"],
      [
        cpuRow("`hashPassword`", p.cpu.hash),
        cpuRow("`checkPassword`, right password", p.cpu.checkRight),
        cpuRow("`checkPassword`, wrong password (counted on the user)", p.cpu.checkWrong),
        cpuRow("`checkPassword`, unknown login (dummy hash, counted in its bucket)", p.cpu.checkUnknown),
      ],
    ),
    "",
    ...(p.leak
      ? [
          "No user enumeration by timing (DESIGN §8): the wall time of one refusal as a client sees it, a wrong " +
            `password of a real user against a login nobody has, ${p.leak.pairs} pairs in alternating order. ` +
            "Both run one lookup, one hash at the same cost and one batch of the same two writes that changes " +
            "one row (test/worker/directory-attacks.test.ts asserts the statements and the rows).",
          "",
          table(
            ["refusal", "wall ms (median)"],
            [
              ["wrong password, known login", ms(p.leak.wrongWallMs)],
              ["unknown login", ms(p.leak.unknownWallMs)],
              [
                "difference (median of the pairs; range)",
                `${ms(p.leak.differenceMs)} (${ms(p.leak.differenceMinMs)} – ${ms(p.leak.differenceMaxMs)})`,
              ],
            ],
          ),
          "",
        ]
      : []),
    `\`checkPassword\`'s D1 statements alone, against the local D1 (SQLite in workerd's process, ${p.users} users): ` +
      `wall ms per statement, median of ${p.d1.lookup.batches} batches of ${p.d1.lookup.perBatch}. A deployed D1 adds the ` +
      "network round trip to its primary (or a read replica for the lookup).",
    "",
    table(
      ["statement", "ms", "range"],
      [
        d1Row("lookup by `login_key`", p.d1.lookup),
        d1Row("count a failure on the user (the refusal batch)", p.d1["count-failure"]),
        ...(p.d1["count-unattributed"]
          ? [d1Row("count a failure in the login's bucket (the same batch)", p.d1["count-unattributed"])]
          : []),
        d1Row("record the sign-in (`UPDATE … RETURNING`)", p.d1["signed-in"]),
      ],
    ),
    "",
  ];
}
