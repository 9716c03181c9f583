// stdin in all its forms, argv, exit codes, process.exit and the rest of `process`.
import { describe, expect, it } from "vitest";
import { run, stdoutOf } from "./helpers";

describe("stdin", () => {
  it("reads everything with fs.readFileSync(0 | '/dev/stdin'), appending the newline Piston adds", async () => {
    expect(await stdoutOf("console.log(JSON.stringify(require('fs').readFileSync(0, 'utf8')))", { stdin: "1 2\n3" })).toBe('"1 2\\n3\\n"\n');
    expect(await stdoutOf("console.log(JSON.stringify(require('fs').readFileSync('/dev/stdin', 'utf8')))", { stdin: "x\n" })).toBe('"x\\n"\n');
    expect(await stdoutOf("const b = require('fs').readFileSync(0); console.log(b.length, b.toString().trim())", { stdin: "héllo" })).toBe("7 héllo\n");
    expect(await stdoutOf("console.log(JSON.stringify(require('fs').readFileSync(0, 'utf8')))")).toBe('"\\n"\n');
  });

  it("gives one line at a time with the global readline(), then null", async () => {
    expect(await stdoutOf("let l; while ((l = readline()) !== null) console.log('[' + l + ']')", { stdin: "a\r\nb\n\nc" })).toBe("[a]\n[b]\n[]\n[c]\n");
  });

  it("emits 'line' and 'close' from readline.createInterface", async () => {
    const code = "const rl = require('readline').createInterface({ input: process.stdin, output: process.stdout, terminal: false });\nconst lines = [];\nrl.on('line', (l) => lines.push(l));\nrl.on('close', () => console.log(lines.join('|')));";
    expect(await stdoutOf(code, { stdin: "3\n1 2 3\n" })).toBe("3|1 2 3\n");
  });

  it("supports `for await (const line of rl)` at top level and inside async functions", async () => {
    expect(await stdoutOf("const rl = require('readline').createInterface({ input: process.stdin });\nlet sum = 0;\nfor await (const line of rl) sum += Number(line);\nconsole.log(sum);", { stdin: "1\n2\n3" })).toBe("6\n");
    expect(
      await stdoutOf("import readline from 'node:readline';\nasync function main() { const rl = readline.createInterface({ input: process.stdin }); const out = []; for await (const l of rl) out.push(l.toUpperCase()); console.log(out.join(',')); }\nmain();", { stdin: "a\nb" }),
    ).toBe("A,B\n");
  });

  it("answers rl.question and readline/promises question in order", async () => {
    expect(await stdoutOf("const rl = require('readline').createInterface({ input: process.stdin, output: process.stdout });\nrl.question('name? ', (a) => { console.log('hi ' + a); rl.close(); });", { stdin: "Ann\n" })).toBe("name? hi Ann\n");
    expect(await stdoutOf("const rl = require('readline/promises').createInterface({ input: process.stdin });\nconst a = await rl.question('');\nconst b = await rl.question('');\nconsole.log(Number(a) + Number(b)); rl.close();", { stdin: "2\n40\n" })).toBe("42\n");
  });

  it("emits process.stdin 'data' and 'end', as Buffer or string", async () => {
    expect(await stdoutOf("let s = ''; process.stdin.setEncoding('utf8'); process.stdin.on('data', (c) => { s += c; }); process.stdin.on('end', () => console.log(typeof s, JSON.stringify(s)));", { stdin: "in" })).toBe('string "in\\n"\n');
    expect(await stdoutOf("const chunks = []; process.stdin.on('data', (c) => chunks.push(c)); process.stdin.on('end', () => console.log(Buffer.isBuffer(chunks[0]), Buffer.concat(chunks).toString()));", { stdin: "q" })).toBe("true q\n\n");
    expect(await stdoutOf("let s = ''; process.stdin.on('readable', () => { let c; while ((c = process.stdin.read()) !== null) s += c; }); process.stdin.on('end', () => console.log(s.trim()));", { stdin: "r" })).toBe("r\n");
  });

  it("shares one cursor between readline() and readFileSync(0)", async () => {
    expect(await stdoutOf("const first = readline(); const rest = require('fs').readFileSync(0, 'utf8'); console.log(first, JSON.stringify(rest))", { stdin: "1\n2\n3\n" })).toBe('1 "2\\n3\\n"\n');
  });
});

describe("argv, exit codes and process", () => {
  it("sets process.argv like `node /path/main.js args...`", async () => {
    expect(await stdoutOf("console.log(JSON.stringify(process.argv))", { args: ["a", "b c"] })).toBe('["node","/sandbox/main.js","a","b c"]\n');
    expect(await stdoutOf("console.log(process.argv[1], __filename, __dirname)", { name: "solution.js" })).toBe("/sandbox/solution.js /sandbox/solution.js /sandbox\n");
  });

  it("stops immediately at process.exit(code), keeping the code and dropping later output", async () => {
    const result = await run("console.log('before'); process.exit(3); console.log('after')");
    expect(result).toMatchObject({ status: "runtime_error", exitCode: 3, stdout: "before\n", signal: null });
    const caught = await run("try { process.exit(0) } catch (e) { console.log('caught') } finally { console.log('finally') } console.log('after')");
    expect(caught).toMatchObject({ status: "ok", exitCode: 0, stdout: "" });
  });

  it("honours process.exitCode and runs 'exit' listeners", async () => {
    const result = await run("process.on('exit', (code) => console.log('exit', code)); process.exitCode = 5; setTimeout(() => console.log('timer'), 10);");
    expect(result).toMatchObject({ status: "runtime_error", exitCode: 5, stdout: "timer\nexit 5\n" });
    expect(await run("process.exit()")).toMatchObject({ status: "ok", exitCode: 0 });
    expect((await run("process.exit(-1)")).exitCode).toBe(255);
  });

  it("has an empty env and the usual process fields", async () => {
    const out = await stdoutOf(
      "console.log(JSON.stringify(process.env), process.platform, process.version.startsWith('v'), typeof process.versions.node, process.cwd(), typeof process.memoryUsage().heapUsed, process.hrtime().length, typeof process.hrtime.bigint())",
    );
    expect(out).toBe("{} linux true string /sandbox number 2 bigint\n");
  });

  it("runs process.nextTick and queueMicrotask before timers", async () => {
    expect(await stdoutOf("setTimeout(() => console.log('timeout'), 0); setImmediate(() => console.log('immediate')); process.nextTick(() => console.log('tick')); queueMicrotask(() => console.log('micro')); Promise.resolve().then(() => console.log('promise')); console.log('sync')")).toBe(
      "sync\ntick\nmicro\npromise\ntimeout\nimmediate\n",
    );
  });

  it("lets process.on('uncaughtException') handle errors", async () => {
    const result = await run("process.on('uncaughtException', (e) => console.log('handled', e.message)); setTimeout(() => { throw new Error('late') }, 5); throw new Error('early')");
    expect(result).toMatchObject({ status: "ok", exitCode: 0, stdout: "handled early\nhandled late\n" });
  });
});
