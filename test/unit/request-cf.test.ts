import { describe, expect, it } from "vitest";
import { requestCf } from "../../workers/api/request-cf";

describe("requestCf", () => {
  it("reads request.cf once per request and hands every caller the same object", () => {
    let reads = 0;
    const request = new Request("http://edgebox.test/");
    Object.defineProperty(request, "cf", {
      get() {
        reads += 1;
        return { colo: "FRA", country: "DE" };
      },
    });
    const first = requestCf(request);
    expect(first).toEqual({ colo: "FRA", country: "DE" });
    expect(requestCf(request)).toBe(first);
    expect(reads).toBe(1);
  });

  it("is null when the request has no cf object", () => {
    expect(requestCf(new Request("http://edgebox.test/"))).toBeNull();
    const odd = new Request("http://edgebox.test/");
    Object.defineProperty(odd, "cf", { value: "not an object" });
    expect(requestCf(odd)).toBeNull();
  });
});
