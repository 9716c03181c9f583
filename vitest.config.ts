import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { createCallbackReceiver, type CallbackReceiver } from "./test/fakes/callback-receiver.ts";
import { createFakePiston, type FakePiston } from "./test/fakes/fake-piston.ts";
import { toNodeHandler } from "./test/fakes/serve-fake-piston.ts";

// Two projects:
// - workers: every test under test/ except e2e runs inside workerd with the bindings from
//   wrangler.toml. D1 migrations are read here (Node side) from the same folder wrangler uses and
//   applied by test/setup/apply-migrations.ts.
// - e2e: Node-side tests that start `wrangler dev` and talk to it over real HTTP.

// Outbound fetches from the Worker under test never leave the machine: they land here.
// - http(s)://<name>.piston.test/... is served by a fake Piston v2 server (test/fakes/fake-piston.ts),
//   one per name, created on first use with id = name (its executions print the name). Its state is
//   shared by every test file, so tests use a name of their own.
// - http(s)://<name>.receiver.test/... is a webhook receiver for job callbacks
//   (test/fakes/callback-receiver.ts), one per name: it records requests and fails on demand.
// - Anything else (e.g. Sentry reports) is captured; tests read it from http://outbound.test/captured.
// The service is Node-style ({ node }), not a fetch handler: when a fetch handler throws, Miniflare
// answers the Worker with a 500 whose body is the error message, so a fetch handler cannot make the
// Worker's fetch() reject. A Node handler can destroy the socket, which the Worker sees as a lost
// connection (fetch rejects), and it learns when the Worker gives up on a request (so "hang" ends).
// Node-style services do not see the URL's scheme: https://host/... arrives as http://host/....
// Each reset makes workerd log "uncaught exception ... Network connection lost" for Miniflare's
// relay worker; that is expected noise.
const captured: Array<{ url: string; method: string; body: string }> = [];
const fakePistons = new Map<string, FakePiston>();
const receivers = new Map<string, CallbackReceiver>();
async function outbound(request: Request): Promise<Response> {
  const url = new URL(request.url);
  const piston = /^([a-z0-9-]+)\.piston\.test$/.exec(url.hostname);
  if (piston) {
    let fake = fakePistons.get(piston[1]);
    if (!fake) fakePistons.set(piston[1], (fake = createFakePiston({ id: piston[1] })));
    return fake.handle(request);
  }
  const receiver = /^([a-z0-9-]+)\.receiver\.test$/.exec(url.hostname);
  if (receiver) {
    let found = receivers.get(receiver[1]);
    if (!found) receivers.set(receiver[1], (found = createCallbackReceiver()));
    return found.handle(request);
  }
  if (url.hostname === "outbound.test" && url.pathname === "/captured") {
    return Response.json(captured.splice(0));
  }
  captured.push({ url: request.url, method: request.method, body: await request.text() });
  return new Response("{}", { status: 200, headers: { "content-type": "application/json" } });
}
const outboundService = { node: toNodeHandler(outbound) };

export default defineConfig(async () => {
  const migrations = await readD1Migrations("migrations");
  return {
    test: {
      // Request logs are JSON lines on stdout; show them only for failing tests.
      silent: "passed-only" as const,
      projects: [
        {
          plugins: [
            cloudflareTest({
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                outboundService,
                // Tests run as local development does (anonymous dev tenant); production mode is
                // tested by overriding ENVIRONMENT per request (test/helpers/http.ts).
                bindings: { TEST_MIGRATIONS: migrations, ADMIN_SECRET: "test-admin-secret", ENVIRONMENT: "development" },
              },
            }),
          ],
          test: {
            name: "workers",
            include: ["test/**/*.test.ts"],
            exclude: ["test/e2e/**"],
            setupFiles: ["./test/setup/apply-migrations.ts"],
            testTimeout: 30_000,
            hookTimeout: 30_000,
          },
        },
        {
          test: {
            name: "e2e",
            include: ["test/e2e/**/*.test.ts"],
            environment: "node",
            // One file at a time: each starts one or two `wrangler dev` processes (and one a
            // browser); run together on a 2-core machine, their startups starve each other past
            // the readiness timeouts.
            fileParallelism: false,
            testTimeout: 60_000,
            hookTimeout: 120_000,
          },
        },
      ],
    },
  };
});
