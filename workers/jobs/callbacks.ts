import { eq } from "drizzle-orm";
import type { Database } from "../db/client";
import { callbackSecrets } from "../db/schema";
import { recordCallbackAttempt } from "./job-store";
import { SIGNATURE_HEADER, signCallback } from "./signature";
import { hostnameOf } from "../tracing/span";
import { startSpan } from "../tracing/tracer";
import type { Job } from "./types";

/** Deliveries of one job's callback before giving up (each recorded). */
export const CALLBACK_MAX_ATTEMPTS = 6;
/** Backoff between deliveries: 5 s, 10 s, 20 s, ... capped at 10 min (queue delays are whole seconds). */
export const CALLBACK_BASE_DELAY_SECONDS = 5;
export const CALLBACK_MAX_DELAY_SECONDS = 600;
/** A receiver gets this long to answer. */
const CALLBACK_TIMEOUT_MS = 10_000;

export function callbackRetryDelaySeconds(attempt: number): number {
  return Math.min(CALLBACK_MAX_DELAY_SECONDS, CALLBACK_BASE_DELAY_SECONDS * 2 ** Math.max(0, attempt - 1));
}

/**
 * A callback URL must be http(s), carry no credentials, and not point at this service's own host
 * (a callback to ourselves would let a client make the service call its own API). Returns the
 * problem, or null when the URL is acceptable.
 */
export function callbackUrlProblem(raw: string, ownHost: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "must be an absolute http(s) URL";
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return "must be an http(s) URL";
  if (url.username || url.password) return "must not contain credentials";
  const own = ownHost.toLowerCase().replace(/:\d+$/, "");
  if (url.hostname.toLowerCase() === own) return "must not point at this service";
  if (raw.length > 2048) return "must be at most 2048 characters";
  return null;
}

/** The tenant's signing key, created on first use (shown to the tenant by GET /v1/jobs/callback-secret). */
export async function tenantCallbackSecret(db: Database, tenantId: string): Promise<string> {
  const existing = await db.select().from(callbackSecrets).where(eq(callbackSecrets.tenantId, tenantId)).limit(1);
  if (existing[0]) return existing[0].secret;
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const secret = `whsec_${[...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join("")}`;
  await db.insert(callbackSecrets).values({ tenantId, secret, createdAt: Date.now() }).onConflictDoNothing();
  const stored = await db.select().from(callbackSecrets).where(eq(callbackSecrets.tenantId, tenantId)).limit(1);
  return stored[0]!.secret;
}

/** Replaces the tenant's signing key; callbacks are signed with the new one from now on. */
export async function rotateCallbackSecret(db: Database, tenantId: string): Promise<string> {
  await db.delete(callbackSecrets).where(eq(callbackSecrets.tenantId, tenantId));
  return tenantCallbackSecret(db, tenantId);
}

export interface CallbackPayload {
  /** Native callbacks are POSTed; Judge0's are PUT, as Judge0 does. */
  method: "POST" | "PUT";
  body: unknown;
}

/**
 * Delivers one attempt of a job's callback: the payload as JSON, signed (X-Edgebox-Signature), and
 * records the attempt. Returns whether it was delivered (a 2xx) and, if not, after how many
 * seconds to try again (null: give up, attempts exhausted).
 */
export async function deliverCallback(
  db: Database,
  job: Job,
  payload: CallbackPayload,
  attempt: number,
  fetcher: typeof fetch = fetch,
): Promise<{ delivered: boolean; retryInSeconds: number | null }> {
  if (!job.callbackUrl) return { delivered: true, retryInSeconds: null };
  const body = JSON.stringify(payload.body);
  const timestamp = Math.floor(Date.now() / 1000);
  const signature = await signCallback(await tenantCallbackSecret(db, job.tenantId), timestamp, body);
  let statusCode: number | null = null;
  let error: string | null = null;
  // Tracing (docs/tracing.md): a client span per delivery; the receiver gets its traceparent.
  const span = startSpan(`callback ${payload.method}`, {
    kind: "client",
    attributes: { "http.request.method": payload.method, "server.address": hostnameOf(job.callbackUrl), "edgebox.job.id": job.id, "edgebox.callback.attempt": attempt },
  });
  try {
    const response = await fetcher(job.callbackUrl, {
      method: payload.method,
      headers: {
        "content-type": "application/json",
        [SIGNATURE_HEADER]: signature,
        "X-Edgebox-Job-Id": job.id,
        "X-Edgebox-Delivery-Attempt": String(attempt),
        ...span.headers(),
      },
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(CALLBACK_TIMEOUT_MS),
    });
    statusCode = response.status;
    await response.body?.cancel();
    if (response.status < 200 || response.status >= 300) error = `receiver answered ${response.status}`;
  } catch (caught) {
    error = caught instanceof Error ? caught.message : String(caught);
  }
  const delivered = error === null;
  span.setAttributes({ "http.response.status_code": statusCode ?? undefined, "edgebox.callback.delivered": delivered });
  if (!delivered) span.setStatus("error", error ?? undefined);
  span.end();
  await recordCallbackAttempt(db, { jobId: job.id, attempt, at: Date.now(), url: job.callbackUrl, statusCode, error, delivered });
  return { delivered, retryInSeconds: delivered || attempt >= CALLBACK_MAX_ATTEMPTS ? null : callbackRetryDelaySeconds(attempt) };
}
