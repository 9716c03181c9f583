// Retry budgets: retries may add at most a fixed share of load on top of the original requests, so
// when a backend or region fails, retries cannot multiply traffic into a retry storm that keeps it
// down (3 attempts per request would triple load at exactly the wrong moment). When the budget is
// spent the caller does not retry: it fails fast. Two flavours, both pure over plain data:
//
// - Token bucket (Finagle's RetryBudget) — the one the execution router should use. Every request
//   deposits budgetPercent/100 of a token, every retry withdraws one, and a floor of
//   minRetriesPerSecond tokens/s trickles in so low traffic can still retry. It remembers recent
//   history, which matters in Workers: one isolate usually has only a handful of requests in flight,
//   so a concurrency ratio (below) would sit at its floor and never bind, while the bucket still
//   caps retries at ~20 % of that isolate's requests over time. Keep one state per isolate (module
//   scope) or per pool Durable Object; it is plain data, so it can also be persisted.
// - Concurrency ratio (Envoy's retry_budget) — for a place that sees exact in-flight counts, such as
//   a region's pool Durable Object: retries in flight ≤ max(minRetryConcurrency, budgetPercent % of
//   active requests).

/** Retries may be this share of requests (Envoy's and Finagle's default is 20 %). */
export const RETRY_BUDGET_PERCENT = 20;
/** Envoy's min_retry_concurrency default: a nearly idle service can still retry this many at once. */
export const MIN_RETRY_CONCURRENCY = 3;
/**
 * Token floor for the bucket, per isolate. Finagle uses 10/s per client; an isolate sees far less
 * traffic than a Finagle client, so 3/s (the same "a few" as the concurrency floor) keeps a single
 * user's occasional retries possible without letting an idle isolate sustain a storm.
 */
export const MIN_RETRIES_PER_SECOND = 3;
/**
 * Most tokens the bucket holds. Without a cap, an hour of successes would bank enough tokens to
 * retry every request of the next outage, defeating the budget; with it, an outage gets at most
 * this many retries beyond the steady 20 % (a burst, e.g. all in-flight requests failing at once).
 */
export const MAX_RETRY_TOKENS = 10;

// ── Concurrency ratio (Envoy) ────────────────────────────────────────────────────────────────────

export interface ConcurrencyBudgetConfig {
  budgetPercent: number;
  minRetryConcurrency: number;
}

export const DEFAULT_CONCURRENCY_BUDGET: Readonly<ConcurrencyBudgetConfig> = Object.freeze({
  budgetPercent: RETRY_BUDGET_PERCENT,
  minRetryConcurrency: MIN_RETRY_CONCURRENCY,
});

/** How many retries may be in flight at once, given the requests in flight (retries included, as Envoy counts). */
export function retryConcurrencyLimit(activeRequests: number, config: ConcurrencyBudgetConfig): number {
  const share = Math.floor((count(activeRequests) * count(config.budgetPercent)) / 100);
  return Math.max(count(config.minRetryConcurrency), share);
}

/**
 * Whether one more retry may start now. `activeRequests` counts everything in flight including
 * retries; `activeRetries` counts the retries among them, not including the one being decided.
 * A false is budget exhaustion: count it where you count the retry policy's "budget_exhausted".
 */
export function canRetry(
  counts: { activeRequests: number; activeRetries: number },
  config: ConcurrencyBudgetConfig = DEFAULT_CONCURRENCY_BUDGET,
): boolean {
  return count(counts.activeRetries) < retryConcurrencyLimit(counts.activeRequests, config);
}

// ── Token bucket (Finagle) ───────────────────────────────────────────────────────────────────────

export interface TokenBudgetConfig {
  budgetPercent: number;
  minRetriesPerSecond: number;
  maxTokens: number;
}

export const DEFAULT_TOKEN_BUDGET: Readonly<TokenBudgetConfig> = Object.freeze({
  budgetPercent: RETRY_BUDGET_PERCENT,
  minRetriesPerSecond: MIN_RETRIES_PER_SECOND,
  maxTokens: MAX_RETRY_TOKENS,
});

/** Plain, serialisable state. The totals are counters for metrics; they only grow. */
export interface TokenBudgetState {
  /** Tokens available; a retry needs 1. */
  tokens: number;
  /** When the floor was last added (ms since epoch). */
  updatedAt: number;
  requestsTotal: number;
  retriesTotal: number;
  /** Retries refused because the budget was spent: the observable sign of exhaustion. */
  exhaustedTotal: number;
}

/**
 * A new bucket holds one second of floor, so a fresh isolate (Workers start them often) can retry
 * its first failures instead of waiting for tokens to trickle in.
 */
export function initialTokenBudget(now: number, config: TokenBudgetConfig = DEFAULT_TOKEN_BUDGET): TokenBudgetState {
  const { minRetriesPerSecond, maxTokens } = bounds(config);
  return {
    tokens: Math.min(maxTokens, minRetriesPerSecond),
    updatedAt: finiteOr(now, 0),
    requestsTotal: 0,
    retriesTotal: 0,
    exhaustedTotal: 0,
  };
}

/** Call once per original request (not per retry): it earns budgetPercent/100 of a token. */
export function depositRequest(
  state: TokenBudgetState,
  now: number,
  config: TokenBudgetConfig = DEFAULT_TOKEN_BUDGET,
): TokenBudgetState {
  const refilled = refill(state, now, config);
  const { budgetPercent, maxTokens } = bounds(config);
  const tokens = Math.min(maxTokens, refilled.tokens + budgetPercent / 100);
  return { ...refilled, tokens, requestsTotal: refilled.requestsTotal + 1 };
}

/**
 * Whether a retry would be allowed now; spends nothing. Pass it to nextRetry as budgetAllows, then
 * settle with withdrawRetry (retry) or recordExhausted ("budget_exhausted"), with no await between
 * so concurrent requests in the isolate cannot spend the same token.
 */
export function hasRetryToken(
  state: TokenBudgetState,
  now: number,
  config: TokenBudgetConfig = DEFAULT_TOKEN_BUDGET,
): boolean {
  return refill(state, now, config).tokens >= 1;
}

/**
 * Spends a token for a retry that will happen (nextRetry said retry) and counts it; if no token is
 * left, spends nothing and counts exhaustion instead, so `allowed` is always the truth.
 */
export function withdrawRetry(
  state: TokenBudgetState,
  now: number,
  config: TokenBudgetConfig = DEFAULT_TOKEN_BUDGET,
): { allowed: boolean; state: TokenBudgetState } {
  const refilled = refill(state, now, config);
  if (refilled.tokens < 1) return { allowed: false, state: { ...refilled, exhaustedTotal: refilled.exhaustedTotal + 1 } };
  return { allowed: true, state: { ...refilled, tokens: refilled.tokens - 1, retriesTotal: refilled.retriesTotal + 1 } };
}

/** Counts a retry the policy refused for budget (nextRetry → "budget_exhausted") without spending. */
export function recordExhausted(state: TokenBudgetState): TokenBudgetState {
  return { ...state, exhaustedTotal: state.exhaustedTotal + 1 };
}

/** Adds the floor for the time elapsed. A clock going backwards adds nothing and keeps updatedAt. */
function refill(state: TokenBudgetState, now: number, config: TokenBudgetConfig): TokenBudgetState {
  const { minRetriesPerSecond, maxTokens } = bounds(config);
  const tokens = Math.min(maxTokens, finiteOr(state.tokens, 0));
  const last = finiteOr(state.updatedAt, now);
  const elapsedMs = finiteOr(now, last) - last;
  if (!(elapsedMs > 0)) return { ...state, tokens, updatedAt: last };
  return { ...state, tokens: Math.min(maxTokens, tokens + (minRetriesPerSecond * elapsedMs) / 1000), updatedAt: now };
}

/** Config values that always make sense: negatives and NaN are 0, and maxTokens ≥ 1 so a retry is ever possible. */
function bounds(config: TokenBudgetConfig): TokenBudgetConfig {
  return {
    budgetPercent: count(config.budgetPercent),
    minRetriesPerSecond: count(config.minRetriesPerSecond),
    maxTokens: Math.max(1, count(config.maxTokens)),
  };
}

/** Non-negative and finite, else 0. */
function count(value: number): number {
  return Number.isFinite(value) && value > 0 ? value : 0;
}

function finiteOr(value: number, fallback: number): number {
  return Number.isFinite(value) ? value : fallback;
}
