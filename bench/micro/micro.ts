/**
 * Micro benchmarks of Warden's pure token-path modules in plain Node, imported from src/ directly.
 * run.mjs bundles this file with esbuild (src/ uses extensionless imports, which Node's own type
 * stripping cannot resolve) and runs the bundle in a fresh Node process; it prints one JSON line.
 *
 * Each case is timed in batches sized to take about 5 ms; the result is the median time per
 * operation over the batches (and the fastest batch, to show the noise floor).
 */
import { exportJWK, generateKeyPair, importJWK, SignJWT } from "jose";
import { TOKEN_ID_BYTES } from "../../src/config/defaults";
import { ServerConfig } from "../../src/config/schemas";
import { hashSecret, randomToken, secretMatchesAny } from "../../src/crypto/secrets";
import { evaluate } from "../../src/policy";
import { buildAccessToken } from "../../src/tokens/access-token";
import { signToken } from "../../src/tokens/sign";
import { SCOPE, serverConfig } from "../lib/config.mjs";

interface Options {
  /** Time spent measuring each case. */
  caseMs: number;
  policyRuleCounts: number[];
}

interface CaseResult {
  id: string;
  label: string;
  nsPerOp: number;
  minNsPerOp: number;
  batches: number;
  opsPerBatch: number;
}

const BATCH_TARGET_NS = 5e6;
let sink = 0;

async function measure(
  id: string,
  label: string,
  op: () => unknown,
  { caseMs }: Options,
): Promise<CaseResult> {
  // Warm up (and let the JIT settle) for a fifth of the budget, sizing the batch as it goes.
  let opsPerBatch = 1;
  const warmUntil = performance.now() + caseMs / 5;
  while (performance.now() < warmUntil) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < opsPerBatch; i++) sink ^= (await op()) ? 1 : 0;
    const elapsed = Number(process.hrtime.bigint() - t0);
    if (elapsed < BATCH_TARGET_NS / 2) opsPerBatch *= 2;
  }
  const perOp: number[] = [];
  const until = performance.now() + caseMs;
  while (performance.now() < until || perOp.length < 5) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < opsPerBatch; i++) sink ^= (await op()) ? 1 : 0;
    perOp.push(Number(process.hrtime.bigint() - t0) / opsPerBatch);
  }
  perOp.sort((a, b) => a - b);
  return {
    id,
    label,
    nsPerOp: perOp[Math.floor(perOp.length / 2)] ?? Number.NaN,
    minNsPerOp: perOp[0] ?? Number.NaN,
    batches: perOp.length,
    opsPerBatch,
  };
}

async function main(): Promise<void> {
  const options: Options = JSON.parse(process.argv[2] ?? "{}");
  const results: CaseResult[] = [];

  for (const rules of options.policyRuleCounts) {
    const config = ServerConfig.parse(serverConfig("ES256", rules, "bench-client"));
    const request = {
      clientId: "bench-client",
      grantType: "client_credentials" as const,
      requestedScopes: [SCOPE],
    };
    const decision = evaluate(request, config);
    if (!decision.ok || decision.rule.id !== `rule-${rules}`) throw new Error("the last rule must match");
    results.push(
      await measure(
        `policy-${rules}`,
        `policy evaluation, ${rules} rule${rules === 1 ? "" : "s"}`,
        () => evaluate(request, config).ok,
        options,
      ),
    );
  }

  const claimsInput = {
    profile: "okta" as const,
    issuer: "http://127.0.0.1:8787/oauth2/es256-20",
    audiences: ["api://bench"],
    clientId: "bench-client",
    subject: "bench-client",
    scopes: [SCOPE],
    issuedAt: 1_800_000_000,
    lifetimeSeconds: 3600,
    jti: "AT.0123456789abcdefghijklmn",
  };
  results.push(
    await measure("claims", "claim set (buildAccessToken)", () => buildAccessToken(claimsInput), options),
  );
  results.push(
    await measure(
      "jti",
      `token id (randomToken, ${TOKEN_ID_BYTES} bytes)`,
      () => randomToken(TOKEN_ID_BYTES),
      options,
    ),
  );

  const secret = randomToken(32);
  const hashes = [await hashSecret(secret)];
  results.push(
    await measure(
      "secret",
      "client secret check (SHA-256, constant-time compare)",
      () => secretMatchesAny(secret, hashes),
      options,
    ),
  );

  // For scale: what the signature alone costs in Node's WebCrypto (workerd's differs; see README).
  const claims = buildAccessToken(claimsInput);
  for (const alg of ["ES256", "RS256"] as const) {
    const { privateKey } = await generateKeyPair(alg, { modulusLength: 2048, extractable: true });
    results.push(
      await measure(
        `sign-${alg}`,
        `sign the claim set, ${alg} (jose SignJWT, Node WebCrypto, one at a time)`,
        () => new SignJWT(claims.payload).setProtectedHeader({ alg, kid: "k" }).sign(privateKey),
        options,
      ),
    );
    // Warden's signer with a key imported as the key store imports it (src/tokens/sign.ts).
    const key = (await importJWK(await exportJWK(privateKey), alg)) as CryptoKey;
    const signingKey = { kid: "k", alg, activatesAt: 0, sequence: 1, key };
    results.push(
      await measure(
        `sign-warden-${alg}`,
        `sign the claim set, ${alg} (Warden's signToken, Node WebCrypto, one at a time)`,
        () => signToken(claims, signingKey),
        options,
      ),
    );
  }

  process.stdout.write(`${JSON.stringify({ node: process.version, results, sink })}\n`);
}

await main();
