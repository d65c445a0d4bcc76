/**
 * latest.json → chart.svg, drawn by hand: token throughput per algorithm (ceiling, Warden by rule
 * count, the peer, wrangler dev) and policy-evaluation time by rule count on a log scale.
 */

const WIDTH = 760;
const LABEL_W = 250;
const BAR_H = 18;
const GAP = 6;
const COLORS = { ceiling: "#9aa5b1", token: "#2f6fdf", peer: "#e07b39", dev: "#8e6bbf", policy: "#2a9d6f" };

const xmlText = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const fmt = (v, digits = 0) =>
  v.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

function bar(y, label, value, width, color, text) {
  return [
    `<text x="${LABEL_W - 8}" y="${y + BAR_H - 5}" text-anchor="end">${xmlText(label)}</text>`,
    `<rect x="${LABEL_W}" y="${y}" width="${Math.max(1, width).toFixed(1)}" height="${BAR_H}" fill="${color}"/>`,
    `<text x="${(LABEL_W + width + 6).toFixed(1)}" y="${y + BAR_H - 5}">${xmlText(text ?? fmt(value))}</text>`,
  ].join("");
}

function throughputRows(cases) {
  const get = (predicate) => cases.find(predicate);
  const groups = [];
  for (const alg of ["RS256", "ES256"]) {
    const rows = [
      [
        `ceiling ${alg}`,
        get((c) => c.runtime === "miniflare" && c.kind === "ceiling" && c.alg === alg),
        COLORS.ceiling,
      ],
      ...[1, 20, 200].map((rules) => [
        `Warden ${alg}, ${rules} rule${rules === 1 ? "" : "s"}`,
        get((c) => c.runtime === "miniflare" && c.kind === "token" && c.alg === alg && c.rules === rules),
        COLORS.token,
      ]),
      [`node-oidc-provider ${alg}`, get((c) => c.kind === "peer" && c.alg === alg), COLORS.peer],
      [
        `Warden ${alg}, 20 rules (wrangler dev)`,
        get((c) => c.runtime === "wrangler-dev" && c.kind === "token" && c.alg === alg),
        COLORS.dev,
      ],
    ].filter(([, c]) => c?.rps);
    groups.push({ title: alg, rows });
  }
  return groups;
}

export function renderChart(result) {
  const parts = [];
  let y = 30;
  const plotW = WIDTH - LABEL_W - 80;
  parts.push(
    `<text x="10" y="20" font-weight="bold">Token requests per second, median (client_credentials, ${result.meta.load.connections} connections, 127.0.0.1)</text>`,
  );
  const groups = throughputRows(result.cases);
  const maxRps = Math.max(...groups.flatMap((g) => g.rows.map(([, c]) => c.rps)), 1);
  for (const group of groups) {
    y += 8;
    parts.push(`<text x="10" y="${y + 12}" font-weight="bold">${group.title}</text>`);
    y += 18;
    for (const [label, c, color] of group.rows) {
      parts.push(bar(y, label, c.rps, (c.rps / maxRps) * plotW, color));
      y += BAR_H + GAP;
    }
  }

  y += 24;
  parts.push(
    `<text x="10" y="${y}" font-weight="bold">Policy evaluation, µs per request (plain Node, log scale; target: 200 rules &lt; 50 µs)</text>`,
  );
  y += 12;
  const policy = result.micro.results.filter((r) => r.id.startsWith("policy-"));
  const micros = policy.map((r) => r.nsPerOp / 1000);
  const lo = Math.log10(Math.min(0.1, ...micros));
  const hi = Math.log10(Math.max(1000, ...micros));
  const scale = (us) => ((Math.log10(us) - lo) / (hi - lo)) * plotW;
  const top = y;
  for (const r of policy) {
    const us = r.nsPerOp / 1000;
    parts.push(
      bar(y, r.label.replace("policy evaluation, ", ""), us, scale(us), COLORS.policy, `${fmt(us, 2)} µs`),
    );
    y += BAR_H + GAP;
  }
  const targetX = LABEL_W + scale(50);
  parts.push(
    `<line x1="${targetX.toFixed(1)}" y1="${top - 4}" x2="${targetX.toFixed(1)}" y2="${y}" stroke="#c0392b" stroke-dasharray="4 3"/>`,
    `<text x="${(targetX - 4).toFixed(1)}" y="${y + 12}" fill="#c0392b" text-anchor="end">50 µs target</text>`,
  );
  y += 24;
  parts.push(
    `<text x="10" y="${y}" fill="#555">${xmlText(`${result.meta.finishedAt}, ${result.meta.mode} mode — bench/results/latest.md has every number`)}</text>`,
  );
  const height = y + 12;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    ...parts,
    "</svg>",
    "",
  ].join("\n");
}
