import { describe, expect, it } from "vitest";
import { conditionHolds, evaluate, resolveRemoved } from "../../workers/alerting/evaluate";
import { INITIAL_STATE, type AlertRule, type AlertState } from "../../workers/alerting/types";

// The evaluator alone: firing, deduplication, reminders after the cooldown, resolve, no data,
// gauges that must hold for their window, disabled rules.

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 2, 12, 0, 0);

const errorRate: AlertRule = {
  id: "errors",
  description: null,
  metric: "error_rate",
  comparator: ">",
  threshold: 0.05,
  windowMinutes: 5,
  severity: "critical",
  cooldownMinutes: 30,
  enabled: true,
  builtin: false,
};

/** Runs the evaluator over (minute offset, value) steps, threading the state. */
function run(rule: AlertRule, steps: Array<[number, number | null]>, start: AlertState = INITIAL_STATE) {
  let state = start;
  const sent: Array<{ at: number; kind: string; repeat: boolean; value: number | null; reason: string }> = [];
  for (const [minute, value] of steps) {
    const result = evaluate(rule, state, value, T0 + minute * MIN);
    state = result.state;
    if (result.notification) {
      const n = result.notification;
      sent.push({ at: minute, kind: n.kind, repeat: n.repeat, value: n.value, reason: n.reason });
    }
  }
  return { state, sent };
}

describe("alert evaluation", () => {
  it("compares with each comparator", () => {
    expect([conditionHolds(2, ">", 1), conditionHolds(1, ">", 1), conditionHolds(1, ">=", 1)]).toEqual([true, false, true]);
    expect([conditionHolds(0, "<", 1), conditionHolds(1, "<", 1), conditionHolds(1, "<=", 1)]).toEqual([true, false, true]);
  });

  it("fires once when the condition starts to hold, with the value and an episode key", () => {
    const result = evaluate(errorRate, INITIAL_STATE, 0.2, T0);
    expect(result.state).toMatchObject({ status: "firing", since: T0, lastNotifiedAt: T0, lastValue: 0.2, lastEvaluatedAt: T0 });
    expect(result.notification).toMatchObject({
      kind: "firing",
      repeat: false,
      reason: "condition_met",
      ruleId: "errors",
      severity: "critical",
      value: 0.2,
      since: T0,
      at: T0,
      dedupKey: `errors:${T0}`,
    });
  });

  it("stays quiet while the condition does not hold", () => {
    expect(run(errorRate, [[0, 0.01], [5, 0.05], [10, 0]]).sent).toEqual([]);
  });

  it("deduplicates: no second firing while it keeps firing within the cooldown", () => {
    const { sent, state } = run(errorRate, [[0, 0.2], [5, 0.3], [10, 0.25], [25, 0.4]]);
    expect(sent).toEqual([{ at: 0, kind: "firing", repeat: false, value: 0.2, reason: "condition_met" }]);
    expect(state).toMatchObject({ status: "firing", since: T0, lastNotifiedAt: T0, lastValue: 0.4 });
  });

  it("reminds once the cooldown has passed since the last notification, then waits a cooldown again", () => {
    const { sent } = run(errorRate, [[0, 0.2], [29, 0.2], [30, 0.3], [35, 0.3], [59, 0.3], [60, 0.3]]);
    expect(sent).toEqual([
      { at: 0, kind: "firing", repeat: false, value: 0.2, reason: "condition_met" },
      { at: 30, kind: "firing", repeat: true, value: 0.3, reason: "condition_met" },
      { at: 60, kind: "firing", repeat: true, value: 0.3, reason: "condition_met" },
    ]);
  });

  it("keeps the episode's since and key in reminders and in the resolve", () => {
    let state = evaluate(errorRate, INITIAL_STATE, 0.2, T0).state;
    const reminder = evaluate(errorRate, state, 0.2, T0 + 30 * MIN);
    expect(reminder.notification).toMatchObject({ since: T0, dedupKey: `errors:${T0}`, at: T0 + 30 * MIN });
    state = reminder.state;
    const resolved = evaluate(errorRate, state, 0.01, T0 + 40 * MIN);
    expect(resolved.notification).toMatchObject({ kind: "resolved", reason: "condition_cleared", since: T0, dedupKey: `errors:${T0}`, value: 0.01 });
    expect(resolved.state).toMatchObject({ status: "ok", since: T0 + 40 * MIN, pendingSince: null });
  });

  it("resolves as soon as the condition clears, even within the cooldown, and can fire again", () => {
    const { sent } = run(errorRate, [[0, 0.2], [5, 0.01], [10, 0.2], [15, 0.0]]);
    expect(sent.map((n) => [n.at, n.kind, n.repeat])).toEqual([
      [0, "firing", false],
      [5, "resolved", false],
      [10, "firing", false],
      [15, "resolved", false],
    ]);
  });

  it("treats no data as no evidence: an ok rule does not fire, a firing one neither resolves nor reminds", () => {
    expect(run(errorRate, [[0, null], [5, null]]).sent).toEqual([]);
    const { sent, state } = run(errorRate, [[0, 0.2], [5, null], [60, null], [90, null]]);
    expect(sent).toHaveLength(1);
    expect(state).toMatchObject({ status: "firing", since: T0, lastValue: null, lastEvaluatedAt: T0 + 90 * MIN });
    // Data again: still bad → reminder (the cooldown has long passed); good → resolved.
    expect(evaluate(errorRate, state, 0.3, T0 + 95 * MIN).notification).toMatchObject({ kind: "firing", repeat: true });
    expect(evaluate(errorRate, state, 0.01, T0 + 95 * MIN).notification).toMatchObject({ kind: "resolved" });
  });

  it("treats a non-finite value as no data", () => {
    expect(evaluate(errorRate, INITIAL_STATE, Number.NaN, T0).notification).toBeUndefined();
  });

  it("re-sends a firing whose delivery failed (lastNotifiedAt cleared) as a first announcement", () => {
    const fired = evaluate(errorRate, INITIAL_STATE, 0.2, T0).state;
    const undelivered = { ...fired, lastNotifiedAt: null };
    const again = evaluate(errorRate, undelivered, 0.2, T0 + 5 * MIN);
    expect(again.notification).toMatchObject({ kind: "firing", repeat: false, since: T0 });
    expect(again.state.lastNotifiedAt).toBe(T0 + 5 * MIN);
  });

  describe("gauges hold for their window before firing", () => {
    const breakers: AlertRule = { ...errorRate, id: "breakers", metric: "open_breakers", comparator: ">=", threshold: 1, windowMinutes: 10 };

    it("fires only once the condition has held at every evaluation for windowMinutes", () => {
      const { sent } = run(breakers, [[0, 1], [5, 2], [10, 1]]);
      expect(sent).toEqual([{ at: 10, kind: "firing", repeat: false, value: 1, reason: "condition_met" }]);
    });

    it("starts over when the condition breaks in between; a gap (no data) does not break it", () => {
      expect(run(breakers, [[0, 1], [5, 0], [10, 1], [15, 1]]).sent).toEqual([]);
      expect(run(breakers, [[0, 1], [5, null], [10, 1]]).sent.map((n) => n.at)).toEqual([10]);
    });

    it("fires at once with a window of 0", () => {
      expect(run({ ...breakers, windowMinutes: 0 }, [[0, 1]]).sent.map((n) => n.at)).toEqual([0]);
    });

    it("window metrics fire at once: their window is already aggregated", () => {
      expect(run({ ...errorRate, windowMinutes: 60 }, [[0, 0.5]]).sent.map((n) => n.at)).toEqual([0]);
    });
  });

  describe("disabled and deleted rules", () => {
    it("a disabled rule that was firing resolves (rule_disabled), then rests", () => {
      const firing = evaluate(errorRate, INITIAL_STATE, 0.2, T0).state;
      const disabled = { ...errorRate, enabled: false };
      const result = evaluate(disabled, firing, 0.9, T0 + 5 * MIN);
      expect(result.notification).toMatchObject({ kind: "resolved", reason: "rule_disabled", since: T0, value: 0.2 });
      expect(result.state.status).toBe("ok");
      expect(evaluate(disabled, result.state, 0.9, T0 + 10 * MIN).notification).toBeUndefined();
    });

    it("a deleted rule resolves only if it was firing", () => {
      expect(resolveRemoved(errorRate, INITIAL_STATE, T0, "rule_deleted").notification).toBeUndefined();
      const firing = evaluate(errorRate, INITIAL_STATE, 0.2, T0).state;
      expect(resolveRemoved(errorRate, firing, T0 + MIN, "rule_deleted").notification).toMatchObject({ kind: "resolved", reason: "rule_deleted" });
    });
  });
});
