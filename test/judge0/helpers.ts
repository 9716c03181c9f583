import { env } from "../helpers/bindings";
import { call, postJson } from "../helpers/http";

// Shared by the Judge0 tests: requests against the real Worker (D1, Queues with their consumers,
// JobWatch Durable Objects under Miniflare). Requests without a key act as the dev tenant.

export interface Submission {
  token?: string;
  stdout?: string | null;
  stderr?: string | null;
  compile_output?: string | null;
  message?: string | null;
  status?: { id: number; description: string };
  status_id?: number;
  time?: string | null;
  wall_time?: string | null;
  memory?: number | null;
  exit_code?: number | null;
  exit_signal?: number | null;
  language_id?: number;
  language?: { id: number; name: string };
  [field: string]: unknown;
}

export const JS = 63;
export const TS = 74;

export async function json<T = Submission>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

/** POST /submissions?wait=true&… and the submission it answers with. */
export async function runWaiting(body: Record<string, unknown>, query = ""): Promise<{ response: Response; submission: Submission }> {
  const response = await postJson(`/submissions?wait=true${query}`, body);
  return { response, submission: await json(response) };
}

/** Blocks until the job behind `token` has finished (the consumer notifies its JobWatch). */
export async function finished(token: string): Promise<void> {
  const done = await env.JOB_WATCH.get(env.JOB_WATCH.idFromName(token)).wait(25_000);
  if (!done) throw new Error(`submission ${token} did not finish`);
}

export async function getSubmission(token: string, query = ""): Promise<{ response: Response; submission: Submission }> {
  const response = await call(`/submissions/${token}${query}`);
  return { response, submission: await json(response) };
}

export const b64 = (text: string) => btoa(String.fromCharCode(...new TextEncoder().encode(text)));
export const unb64 = (text: string) => new TextDecoder().decode(Uint8Array.from(atob(text), (ch) => ch.charCodeAt(0)));
