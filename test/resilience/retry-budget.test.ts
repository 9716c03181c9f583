import { describe, expect, it } from "vitest";
import {
  canRetry,
  DEFAULT_CONCURRENCY_BUDGET,
  DEFAULT_TOKEN_BUDGET,
  depositRequest,
  hasRetryToken,
  initialTokenBudget,
  MAX_RETRY_TOKENS,
  recordExhausted,
  retryConcurrencyLimit,
  withdrawRetry,
  type TokenBudgetConfig,
  type TokenBudgetState,
} from "../../workers/resilience/retry-budget";

describe("concurrency budget (Envoy)", () => {
  it("allows retries up to 20 % of active requests", () => {
    expect(retryConcurrencyLimit(100, DEFAULT_CONCURRENCY_BUDGET)).toBe(20);
    expect(canRetry({ activeRequests: 100, activeRetries: 19 })).toBe(true);
    expect(canRetry({ activeRequests: 100, activeRetries: 20 })).toBe(false);
    expect(canRetry({ activeRequests: 1_000, activeRetries: 150 })).toBe(true);
  });

  it("keeps a floor of minRetryConcurrency so low traffic can still retry", () => {
    expect(retryConcurrencyLimit(0, DEFAULT_CONCURRENCY_BUDGET)).toBe(3);
    expect(retryConcurrencyLimit(10, DEFAULT_CONCURRENCY_BUDGET)).toBe(3);
    expect(canRetry({ activeRequests: 4, activeRetries: 2 })).toBe(true);
    expect(canRetry({ activeRequests: 4, activeRetries: 3 })).toBe(false);
    expect(canRetry({ activeRequests: 4, activeRetries: 0 }, { budgetPercent: 20, minRetryConcurrency: 0 })).toBe(false);
    expect(canRetry({ activeRequests: 5, activeRetries: 0 }, { budgetPercent: 20, minRetryConcurrency: 0 })).toBe(true);
  });

  it("treats nonsense counts as zero", () => {
    expect(retryConcurrencyLimit(NaN, DEFAULT_CONCURRENCY_BUDGET)).toBe(3);
    expect(canRetry({ activeRequests: -10, activeRetries: NaN })).toBe(true);
  });
});

describe("token budget (Finagle)", () => {
  const T0 = 1_700_000_000_000;

  it("starts with one second of floor", () => {
    const state = initialTokenBudget(T0);
    expect(state).toEqual({ tokens: 3, updatedAt: T0, requestsTotal: 0, retriesTotal: 0, exhaustedTotal: 0 });
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
  });

  it("limits retries to ~20 % of requests under sustained failure, plus the floor", () => {
    // 100 requests per second for 10 s, every one fails and wants a retry.
    let state = initialTokenBudget(T0);
    let retries = 0;
    let refused = 0;
    for (let i = 0; i < 1_000; i++) {
      const now = T0 + i * 10;
      state = depositRequest(state, now);
      const attempt = withdrawRetry(state, now);
      state = attempt.state;
      if (attempt.allowed) retries++;
      else refused++;
    }
    // 1000 · 0.2 = 200 earned, + 3/s · 10 s floor, + 3 initial tokens.
    expect(retries).toBeGreaterThanOrEqual(200);
    expect(retries).toBeLessThanOrEqual(233);
    expect(state.retriesTotal).toBe(retries);
    expect(state.exhaustedTotal).toBe(refused);
    expect(state.requestsTotal).toBe(1_000);
  });

  it("runs out, fails fast and counts it, then the floor lets a quiet client retry again", () => {
    let state: TokenBudgetState = initialTokenBudget(T0);
    for (let i = 0; i < 3; i++) {
      const attempt = withdrawRetry(state, T0);
      expect(attempt.allowed).toBe(true);
      state = attempt.state;
    }
    expect(hasRetryToken(state, T0)).toBe(false);
    const refused = withdrawRetry(state, T0);
    expect(refused.allowed).toBe(false);
    expect(refused.state.exhaustedTotal).toBe(1);
    expect(refused.state.tokens).toBe(state.tokens);
    state = refused.state;
    // 3 tokens/s: one token after ~334 ms.
    expect(hasRetryToken(state, T0 + 300)).toBe(false);
    expect(hasRetryToken(state, T0 + 334)).toBe(true);
  });

  it("hasRetryToken spends nothing; recordExhausted only counts", () => {
    const state = initialTokenBudget(T0);
    expect(hasRetryToken(state, T0)).toBe(true);
    expect(hasRetryToken(state, T0)).toBe(true);
    const counted = recordExhausted(state);
    expect(counted).toEqual({ ...state, exhaustedTotal: 1 });
  });

  it("caps the balance so a long quiet period cannot bank a retry storm", () => {
    let state = initialTokenBudget(T0);
    for (let i = 0; i < 10_000; i++) state = depositRequest(state, T0 + i);
    state = depositRequest(state, T0 + 3_600_000);
    expect(state.tokens).toBe(MAX_RETRY_TOKENS);
    let allowed = 0;
    for (let i = 0; i < 50; i++) {
      const attempt = withdrawRetry(state, T0 + 3_600_000);
      state = attempt.state;
      if (attempt.allowed) allowed++;
    }
    expect(allowed).toBe(MAX_RETRY_TOKENS);
  });

  it("ignores a clock going backwards", () => {
    const state = { ...initialTokenBudget(T0), tokens: 0 };
    const later = depositRequest(state, T0 - 5_000);
    expect(later.tokens).toBeCloseTo(0.2);
    expect(later.updatedAt).toBe(T0);
  });

  it("with no floor and no percentage, never allows a retry", () => {
    const config: TokenBudgetConfig = { ...DEFAULT_TOKEN_BUDGET, budgetPercent: 0, minRetriesPerSecond: 0 };
    let state = initialTokenBudget(T0, config);
    for (let i = 0; i < 100; i++) state = depositRequest(state, T0 + i * 1_000, config);
    expect(withdrawRetry(state, T0 + 200_000, config).allowed).toBe(false);
  });
});
