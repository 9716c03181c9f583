// Calibration of TICKS_PER_MS (workers/sandbox/engine/cpu-clock.ts): runs representative workloads
// on the bare engine (default poll interval: 10,000 ticks), counting interrupt polls against the
// real clock (which moves in local workerd). Prints the table; re-run after engine upgrades and
// adjust the constant.
import { expect, it } from "vitest";
import { createEngineInstance } from "../../workers/sandbox/engine/quickjs-instance";
import { ENGINE_TICKS_PER_POLL, TICKS_PER_MS } from "../../workers/sandbox/engine/cpu-clock";

const WORKLOADS: Record<string, string> = {
  "empty loop": "let i = 0; while (i < 1e7) i++;",
  "counted for loop": "for (let i = 0; i < 3e6; i++) {}",
  arithmetic: "let s = 0; for (let i = 0; i < 1e6; i++) s = (s + i * i) % 1000003; s",
  "function calls": "function f(x) { return x + 1 } let s = 0; for (let i = 0; i < 5e5; i++) s = f(s); s",
  "object properties": "const o = { a: 1, b: 2 }; for (let i = 0; i < 5e5; i++) { o.a = o.b + i; o.b = o.a - i; } o.a",
  "array push + sort": "const a = []; for (let i = 0; i < 2e5; i++) a.push((i * 7919) % 10007); a.sort((x, y) => x - y); a.length",
  "string building": "let s = ''; for (let i = 0; i < 2e5; i++) s += String.fromCharCode(97 + i % 26); s.length",
  "map operations": "const m = new Map(); for (let i = 0; i < 3e5; i++) m.set(i % 1000, (m.get(i % 1000) || 0) + i); m.size",
  "regex backtracking": "/(a+)+$/.test('a'.repeat(21) + 'b')",
  "json round trip": "const data = Array.from({ length: 2000 }, (_, i) => ({ id: i, name: 'item' + i, tags: ['a', 'b'] })); let n = 0; for (let k = 0; k < 20; k++) n += JSON.parse(JSON.stringify(data)).length; n",
  "closures + array methods": "let t = 0; for (let k = 0; k < 200; k++) t += Array.from({ length: 1000 }, (_, i) => i).map((x) => x * 2).filter((x) => x % 3).reduce((a, b) => a + b, 0); t",
};

it("measures interpreter ticks per millisecond", async () => {
  const instance = await createEngineInstance(64 * 1024 * 1024);
  const rates: Array<[string, number, number, number]> = [];
  // Twice: the first pass warms up the host's compilation of the engine.
  for (const [pass, [name, code]] of [...Object.entries(WORKLOADS), ...Object.entries(WORKLOADS)].entries()) {
    const runtime = instance.module.newRuntime();
    let interrupts = 0;
    runtime.setInterruptHandler(() => {
      interrupts++;
      return false;
    });
    const context = runtime.newContext();
    const started = performance.now();
    const result = context.evalCode(code);
    const elapsed = performance.now() - started;
    if (result.error) result.error.dispose();
    else result.value.dispose();
    context.dispose();
    runtime.dispose();
    if (pass >= Object.keys(WORKLOADS).length) rates.push([name, interrupts, elapsed, interrupts / Math.max(elapsed, 1)]);
  }
  // Native-only work (JSON) polls almost never; it says nothing about the rate.
  const sorted = rates.filter((r) => r[1] > 20).map((r) => r[3]).sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  console.log(
    rates.map(([name, n, ms, rate]) => `${name.padEnd(26)} ${String(n).padStart(6)} interrupts ${ms.toFixed(0).padStart(5)} ms  ${rate.toFixed(2)}/ms`).join("\n") +
      `\nmedian ${median.toFixed(2)} polls/ms = ${(median * ENGINE_TICKS_PER_POLL).toFixed(0)} ticks/ms; configured TICKS_PER_MS = ${TICKS_PER_MS}`,
  );
  // Sanity: the configured constant is within the spread measured here.
  const configured = TICKS_PER_MS / ENGINE_TICKS_PER_POLL;
  expect(configured).toBeGreaterThanOrEqual(sorted[0] / 2);
  expect(configured).toBeLessThanOrEqual(sorted[sorted.length - 1] * 2);
}, 60_000);
