import { seededRandom as prng } from "../helpers/seeded-random";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_RETRY_POLICY,
  MIN_USEFUL_TRY_MS,
  nextRetry,
  tryTimeoutMs,
  type RetryInput,
} from "../../workers/resilience/retry-policy";

const NOW = 1_700_000_000_000;
const half = () => 0.5;

function input(overrides: Partial<RetryInput> = {}): RetryInput {
  return {
    attempt: 1,
    error: { retryable: true, retryAfterMs: null },
    now: NOW,
    deadlineAt: NOW + 30_000,
    perTryTimeoutMs: 10_000,
    budgetAllows: true,
    ...overrides,
  };
}

describe("nextRetry", () => {
  it("retries a retryable failure with full-jitter backoff and the full per-try timeout", () => {
    expect(nextRetry(input(), DEFAULT_RETRY_POLICY, half)).toEqual({ retry: true, delayMs: 25, tryTimeoutMs: 10_000 });
    expect(nextRetry(input({ attempt: 2 }), DEFAULT_RETRY_POLICY, half)).toEqual({
      retry: true,
      delayMs: 50,
      tryTimeoutMs: 10_000,
    });
  });

  it("does not retry what is not retryable", () => {
    expect(nextRetry(input({ error: { retryable: false } }), DEFAULT_RETRY_POLICY, half)).toEqual({
      retry: false,
      reason: "not_retryable",
    });
  });

  it("stops after maxAttempts attempts in total", () => {
    expect(nextRetry(input({ attempt: 2 }), DEFAULT_RETRY_POLICY, half).retry).toBe(true);
    expect(nextRetry(input({ attempt: 3 }), DEFAULT_RETRY_POLICY, half)).toEqual({
      retry: false,
      reason: "attempts_exhausted",
    });
    expect(nextRetry(input({ attempt: 1 }), { ...DEFAULT_RETRY_POLICY, maxAttempts: 1 }, half)).toEqual({
      retry: false,
      reason: "attempts_exhausted",
    });
  });

  it("refuses a retry that could not get the minimum useful time before the deadline", () => {
    // delay 25 ms (0.5 · 50): needs 25 + 250 ms left.
    const enough = nextRetry(input({ deadlineAt: NOW + 25 + MIN_USEFUL_TRY_MS }), DEFAULT_RETRY_POLICY, half);
    expect(enough).toEqual({ retry: true, delayMs: 25, tryTimeoutMs: MIN_USEFUL_TRY_MS });
    const short = nextRetry(input({ deadlineAt: NOW + 25 + MIN_USEFUL_TRY_MS - 1 }), DEFAULT_RETRY_POLICY, half);
    expect(short).toEqual({ retry: false, reason: "deadline" });
    expect(nextRetry(input({ deadlineAt: NOW - 1 }), DEFAULT_RETRY_POLICY, half)).toEqual({ retry: false, reason: "deadline" });
  });

  it("shrinks the try's timeout to the time left near the deadline", () => {
    const decision = nextRetry(input({ deadlineAt: NOW + 4_025 }), DEFAULT_RETRY_POLICY, half);
    expect(decision).toEqual({ retry: true, delayMs: 25, tryTimeoutMs: 4_000 });
    // A try never runs past the deadline, whatever the time left and the jitter (seeded sweep).
    const random = prng(7);
    for (let left = 0; left < 12_000; left += 37) {
      const result = nextRetry(input({ deadlineAt: NOW + left, attempt: 1 + (left % 2) }), DEFAULT_RETRY_POLICY, random);
      if (result.retry) {
        expect(NOW + result.delayMs + result.tryTimeoutMs).toBeLessThanOrEqual(NOW + left);
        expect(result.tryTimeoutMs).toBeGreaterThanOrEqual(MIN_USEFUL_TRY_MS);
        expect(result.tryTimeoutMs).toBeLessThanOrEqual(10_000);
      } else {
        expect(result.reason).toBe("deadline");
        expect(left).toBeLessThan(1_000 + MIN_USEFUL_TRY_MS + 1);
      }
    }
  });

  it("lets a short per-try timeout lower the minimum useful time", () => {
    const decision = nextRetry(input({ perTryTimeoutMs: 100, deadlineAt: NOW + 125 }), DEFAULT_RETRY_POLICY, half);
    expect(decision).toEqual({ retry: true, delayMs: 25, tryTimeoutMs: 100 });
  });

  it("honours Retry-After when it is longer than the backoff, still bounded by the deadline", () => {
    const error = { retryable: true, retryAfterMs: 2_000 };
    expect(nextRetry(input({ error }), DEFAULT_RETRY_POLICY, half)).toEqual({ retry: true, delayMs: 2_000, tryTimeoutMs: 10_000 });
    expect(nextRetry(input({ error, deadlineAt: NOW + 5_000 }), DEFAULT_RETRY_POLICY, half)).toEqual({
      retry: true,
      delayMs: 2_000,
      tryTimeoutMs: 3_000,
    });
    expect(nextRetry(input({ error, deadlineAt: NOW + 2_100 }), DEFAULT_RETRY_POLICY, half)).toEqual({
      retry: false,
      reason: "deadline",
    });
    // Shorter than the jitter: the jitter wins.
    expect(nextRetry(input({ error: { retryable: true, retryAfterMs: 10 } }), DEFAULT_RETRY_POLICY, half)).toMatchObject({
      delayMs: 25,
    });
  });

  it("refuses for budget only when everything else would retry", () => {
    expect(nextRetry(input({ budgetAllows: false }), DEFAULT_RETRY_POLICY, half)).toEqual({
      retry: false,
      reason: "budget_exhausted",
    });
    expect(nextRetry(input({ budgetAllows: false, attempt: 3 }), DEFAULT_RETRY_POLICY, half)).toMatchObject({
      reason: "attempts_exhausted",
    });
    expect(nextRetry(input({ budgetAllows: false, deadlineAt: NOW + 10 }), DEFAULT_RETRY_POLICY, half)).toMatchObject({
      reason: "deadline",
    });
    expect(nextRetry(input({ budgetAllows: false, error: { retryable: false } }), DEFAULT_RETRY_POLICY, half)).toMatchObject({
      reason: "not_retryable",
    });
  });

  it("accepts a BackendError-shaped error as is", () => {
    class FakeBackendError extends Error {
      readonly retryable = true;
      readonly retryAfterMs: number | null = null;
    }
    expect(nextRetry(input({ error: new FakeBackendError("boom") }), DEFAULT_RETRY_POLICY, half).retry).toBe(true);
  });

  it("refuses on nonsense times instead of retrying blindly", () => {
    expect(nextRetry(input({ now: NaN }), DEFAULT_RETRY_POLICY, half)).toEqual({ retry: false, reason: "deadline" });
    expect(nextRetry(input({ deadlineAt: NaN }), DEFAULT_RETRY_POLICY, half)).toEqual({ retry: false, reason: "deadline" });
    expect(nextRetry(input({ perTryTimeoutMs: 0 }), DEFAULT_RETRY_POLICY, half)).toEqual({ retry: false, reason: "deadline" });
  });
});

describe("tryTimeoutMs", () => {
  it("is the per-try timeout until the deadline is nearer, then the time left, never negative", () => {
    expect(tryTimeoutMs(NOW, NOW + 30_000, 10_000)).toBe(10_000);
    expect(tryTimeoutMs(NOW, NOW + 7_500.7, 10_000)).toBe(7_500);
    expect(tryTimeoutMs(NOW, NOW, 10_000)).toBe(0);
    expect(tryTimeoutMs(NOW, NOW - 1_000, 10_000)).toBe(0);
    expect(tryTimeoutMs(NOW, NaN, 10_000)).toBe(0);
    expect(tryTimeoutMs(NOW, Infinity, 10_000)).toBe(10_000);
  });
});
