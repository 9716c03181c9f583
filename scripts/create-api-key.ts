// Creates a tenant (if needed) and an API key for it, straight in D1 through wrangler.
//   npm run keys:create -- --tenant acme [--name "ci key"] [--remote]
// The plaintext key is printed once; only its SHA-256 is stored. Runs under Node's type stripping.
import { execFileSync } from "node:child_process";
import { parseArgs } from "node:util";
import { DISPLAY_PREFIX_CHARS, generateApiKey, hashApiKey } from "../workers/auth/api-key.ts";

const { values } = parseArgs({
  options: {
    tenant: { type: "string" },
    name: { type: "string", default: "default" },
    remote: { type: "boolean", default: false },
  },
});

const tenant = values.tenant;
if (!tenant || !/^[a-z0-9][a-z0-9-]{0,62}$/.test(tenant)) {
  console.error("usage: npm run keys:create -- --tenant <id: lowercase letters, digits, dashes> [--name <label>] [--remote]");
  process.exit(2);
}

const sqlString = (value: string) => `'${value.replaceAll("'", "''")}'`;
const key = generateApiKey();
const statements = [
  `INSERT OR IGNORE INTO tenants (id, name) VALUES (${sqlString(tenant)}, ${sqlString(tenant)});`,
  `INSERT INTO api_keys (id, tenant_id, name, prefix, key_hash) VALUES (${sqlString(crypto.randomUUID())}, ${sqlString(tenant)}, ${sqlString(values.name!)}, ${sqlString(key.slice(0, DISPLAY_PREFIX_CHARS))}, ${sqlString(await hashApiKey(key))});`,
];

execFileSync(
  "wrangler",
  ["d1", "execute", "DB", values.remote ? "--remote" : "--local", "--command", statements.join(" ")],
  { stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, WRANGLER_SEND_METRICS: "false" } },
);
console.log(`API key for tenant '${tenant}' (shown once, store it now):\n${key}`);
