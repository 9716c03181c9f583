import { describe, expect, it } from "vitest";
import { decodeContent, pistonEncoding } from "../../workers/execution/decode-content";

describe("decodeContent", () => {
  it("passes utf8 through", () => {
    expect(decodeContent("héllo ✓", "utf8")).toBe("héllo ✓");
  });
  it("decodes base64 (standard, url-safe, with whitespace)", () => {
    expect(decodeContent(btoa("console.log(1)"), "base64")).toBe("console.log(1)");
    expect(decodeContent("Y29uc29sZS5sb2coMSk=\n", "base64")).toBe("console.log(1)");
    // "✓" is e2 9c 93 → standard "4pyT", url-safe the same here; "??>" shows the -/_ mapping.
    expect(decodeContent("4pyT", "base64")).toBe("✓");
    expect(decodeContent("Pz8-", "base64")).toBe("??>");
  });
  it("decodes hex", () => {
    expect(decodeContent("636f6e736f6c65", "hex")).toBe("console");
    expect(decodeContent("E2 9C 93", "hex")).toBe("✓");
  });
  it("rejects malformed input and bytes that are not UTF-8", () => {
    expect(decodeContent("not base64!", "base64")).toBeNull();
    expect(decodeContent("abc", "hex")).toBeNull();
    expect(decodeContent("zz", "hex")).toBeNull();
    expect(decodeContent("ff", "hex")).toBeNull();
    expect(decodeContent(btoa("\xff\xfe"), "base64")).toBeNull();
  });
  it("maps Piston encodings, unknown ones to utf8", () => {
    expect(pistonEncoding("base64")).toBe("base64");
    expect(pistonEncoding("hex")).toBe("hex");
    expect(pistonEncoding("latin1")).toBe("utf8");
    expect(pistonEncoding(undefined)).toBe("utf8");
  });
});
