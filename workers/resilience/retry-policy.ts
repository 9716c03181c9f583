// Whether and when to retry a failed attempt, as one pure decision. The request has one overall
// deadline that retries share (the client waits for the whole thing, not per try), so a retry is
// only scheduled if it can still do useful work before that deadline, and each try's timeout
// shrinks to the time left. Order of the checks is part of the contract, see nextRetry.
import type { Random } from "../routing/types";
import { BASE_DELAY_MS, backoffDelayMs, MAX_DELAY_MS } from "./backoff";

export interface RetryPolicyConfig {
  /** Attempts in total, the first one included (3 = the original plus two retries). */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A retry needs at least this long before the deadline to be worth starting. Default MIN_USEFUL_TRY_MS. */
  minUsefulTryMs?: number;
}

/**
 * Three attempts: with independent failures of probability p a request fails with p³, and a third
 * try already goes to a second region in most topologies; more mostly adds load during outages.
 */
export const MAX_ATTEMPTS = 3;
/**
 * Below this a try cannot finish: a trivial remote execution is one round trip plus Piston's
 * process start (~100–200 ms), so starting one with less time left only adds load and then times
 * out. Capped by the per-try timeout, so a caller with very short tries can still retry.
 */
export const MIN_USEFUL_TRY_MS = 250;

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicyConfig> = Object.freeze({
  maxAttempts: MAX_ATTEMPTS,
  baseDelayMs: BASE_DELAY_MS,
  maxDelayMs: MAX_DELAY_MS,
});

export interface RetryInput {
  /** Attempts made so far, the failed one included (1 after the first try failed). */
  attempt: number;
  /**
   * Structurally a BackendError; any `{ retryable, retryAfterMs }` works. Retry-After is the word of
   * the backend that sent it: if the retry goes to another backend, pass retryAfterMs: null.
   */
  error: { retryable: boolean; retryAfterMs?: number | null };
  now: number;
  /** When the whole request, retries included, must be answered (ms since epoch). */
  deadlineAt: number;
  /** Upper bound of one try. */
  perTryTimeoutMs: number;
  /** The retry budget's verdict (hasRetryToken or canRetry), consulted last. */
  budgetAllows: boolean;
}

export type RetryRefusal = "not_retryable" | "attempts_exhausted" | "deadline" | "budget_exhausted";

export type RetryDecision =
  | {
      retry: true;
      /** Wait this long (whole ms) before the next try. */
      delayMs: number;
      /** Give the next try this long (whole ms, > 0); it ends by the deadline. */
      tryTimeoutMs: number;
    }
  | { retry: false; reason: RetryRefusal };

/**
 * Decides what to do after a failed attempt. Checks, first failing one wins:
 * 1. not_retryable — the error says another try would fail the same way (4xx, bad answer).
 * 2. attempts_exhausted — `attempt` ≥ maxAttempts.
 * 3. deadline — waiting (full-jitter backoff for retry number `attempt`, or the backend's
 *    Retry-After if longer) and then trying for the minimum useful time would pass `deadlineAt`.
 * 4. budget_exhausted — everything else allowed a retry but the budget did not. Last, so the
 *    budget's exhaustion counter counts only retries that were really held back by it, and a token
 *    is only ever spent on a retry that happens.
 * Draws from `random` once, only when it gets past check 2.
 */
export function nextRetry(input: RetryInput, config: RetryPolicyConfig, random: Random): RetryDecision {
  if (!input.error.retryable) return { retry: false, reason: "not_retryable" };
  const attempt = Number.isNaN(input.attempt) ? 1 : Math.max(1, Math.floor(input.attempt));
  const maxAttempts = Number.isNaN(config.maxAttempts) ? 1 : Math.max(1, Math.floor(config.maxAttempts));
  if (attempt >= maxAttempts) return { retry: false, reason: "attempts_exhausted" };

  // Retry-After is the backend's own estimate of when it can take work again: retrying sooner is
  // pointless, so it raises the delay; the deadline below still bounds it.
  const jitterMs = backoffDelayMs(attempt, config, random);
  const retryAfterMs = input.error.retryAfterMs;
  const waitMs = retryAfterMs != null && retryAfterMs > 0 ? Math.max(jitterMs, retryAfterMs) : jitterMs;
  const delayMs = Math.ceil(waitMs);

  // The next try starts after the delay and must get at least the minimum useful time (or its whole
  // per-try timeout, if that is shorter) before the deadline. NaN anywhere yields 0 → refused.
  const minUsefulMs = Math.min(
    nonNegativeOr(config.minUsefulTryMs, MIN_USEFUL_TRY_MS),
    nonNegativeOr(input.perTryTimeoutMs, 0),
  );
  const timeoutMs = tryTimeoutMs(input.now + delayMs, input.deadlineAt, input.perTryTimeoutMs);
  if (timeoutMs <= 0 || timeoutMs < minUsefulMs) return { retry: false, reason: "deadline" };

  if (!input.budgetAllows) return { retry: false, reason: "budget_exhausted" };
  return { retry: true, delayMs, tryTimeoutMs: timeoutMs };
}

/**
 * Timeout for a try starting at `now`: the per-try timeout, shortened to the time left before the
 * deadline; whole ms, 0 when none is left (or inputs are NaN). Use it for the first try too.
 * Infinity in both means no limit at all and yields Infinity (AbortSignal.timeout rejects that).
 */
export function tryTimeoutMs(now: number, deadlineAt: number, perTryTimeoutMs: number): number {
  const timeout = Math.min(perTryTimeoutMs, deadlineAt - now);
  return timeout > 0 ? Math.floor(timeout) : 0; // NaN → 0
}

function nonNegativeOr(value: number | undefined, fallback: number): number {
  return value !== undefined && value >= 0 ? value : fallback; // NaN fails the comparison
}
