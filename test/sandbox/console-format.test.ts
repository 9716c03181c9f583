// console.* output, compared with what Node 22 prints for the same calls.
import { describe, expect, it } from "vitest";
import { run, stdoutOf } from "./helpers";

async function logged(expression: string): Promise<string> {
  return stdoutOf(`console.log(${expression})`);
}

describe("console.log formatting (util.inspect)", () => {
  it("prints primitives like Node", async () => {
    expect(await logged("'a', 1, true, null, undefined, -0, 10n, Symbol('s')")).toBe("a 1 true null undefined -0 10n Symbol(s)\n");
  });

  it("formats objects, nesting and the default depth of 2", async () => {
    expect(await logged("{ a: 1, b: 'x' }")).toBe("{ a: 1, b: 'x' }\n");
    expect(await logged("{ a: { b: { c: { d: 1 } } } }")).toBe("{ a: { b: { c: [Object] } } }\n");
    expect(await logged("[1, 'a', [2, [3, [4, [5]]]]]")).toBe("[ 1, 'a', [ 2, [ 3, [Array] ] ] ]\n");
    expect(await logged("{}, [], [[]], { 'a-b': 1, 2: 'two' }")).toBe("{} [] [ [] ] { '2': 'two', 'a-b': 1 }\n");
  });

  it("quotes strings inside objects and picks the quote Node picks", async () => {
    expect(await logged(`["it's", 'say "hi"', 'a\\nb']`)).toBe(`[ "it's", 'say "hi"', 'a\\nb' ]\n`);
  });

  it("groups long arrays of numbers into aligned columns", async () => {
    expect(await logged("[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]")).toBe("[\n  1, 2, 3, 4,  5,\n  6, 7, 8, 9, 10\n]\n");
    expect(await logged("Array.from({ length: 101 }, () => 0).length")).toBe("101\n");
    const many = await logged("Array.from({ length: 120 }, (_, i) => i)");
    expect(many).toContain("... 20 more items");
  });

  it("breaks objects that do not fit in 80 columns", async () => {
    expect(await logged("{ a: 'xxxxxxxxxx', b: 'yyyyyyyyyy', c: 'zzzzzzzzzz', d: 'wwwwwwwwww', e: 'vvvvvvvvvv' }")).toBe(
      "{\n  a: 'xxxxxxxxxx',\n  b: 'yyyyyyyyyy',\n  c: 'zzzzzzzzzz',\n  d: 'wwwwwwwwww',\n  e: 'vvvvvvvvvv'\n}\n",
    );
  });

  it("formats Map, Set, class instances, null prototypes, functions and classes", async () => {
    expect(await logged("new Map([['a', 1]]), new Set([1, 2])")).toBe("Map(1) { 'a' => 1 } Set(2) { 1, 2 }\n");
    expect(await stdoutOf("class Foo { constructor() { this.x = 1 } }\nconsole.log(new Foo(), Object.assign(Object.create(null), { a: 1 }))")).toBe(
      "Foo { x: 1 } [Object: null prototype] { a: 1 }\n",
    );
    expect(await stdoutOf("function f() {}\nclass A {}\nclass B extends A {}\nconsole.log(f, A, B, () => {}, async function g() {})")).toBe(
      "[Function: f] [class A] [class B extends A] [Function (anonymous)] [AsyncFunction: g]\n",
    );
  });

  it("marks circular references like Node", async () => {
    expect(await stdoutOf("const o = { name: 'x' }; o.self = o; console.log(o)")).toBe("<ref *1> { name: 'x', self: [Circular *1] }\n");
  });

  it("formats dates, regexps, getters, symbols keys, sparse arrays, typed arrays, boxed values", async () => {
    expect(await logged("new Date(0), /a+/g")).toBe("1970-01-01T00:00:00.000Z /a+/g\n");
    expect(await logged("{ get x() { return 1 }, [Symbol('k')]: 2 }")).toBe("{ x: [Getter], [Symbol(k)]: 2 }\n");
    expect(await logged("[1, , 3], new Uint8Array([1, 2]), new Number(3), new String('ab')")).toBe(
      "[ 1, <1 empty item>, 3 ] Uint8Array(2) [ 1, 2 ] [Number: 3] [String: 'ab']\n",
    );
    expect(await logged("Buffer.from('hi')")).toBe("<Buffer 68 69>\n");
  });

  it("shows promise state", async () => {
    expect(await logged("Promise.resolve(1), new Promise(() => {})")).toBe("Promise { 1 } Promise { <pending> }\n");
  });

  it("prints errors with their stack, pointing at the user's file", async () => {
    const out = await stdoutOf("function boom() { return new Error('bad') }\nconsole.log(boom())");
    expect(out).toMatch(/^Error: bad\n    at boom \(\/sandbox\/main\.js:1:\d+\)\n/);
  });

  it("applies format specifiers %s %d %i %f %j %o %O %c %%", async () => {
    expect(await logged("'%s is %d years', 'Bob', 42")).toBe("Bob is 42 years\n");
    expect(await logged("'%i|%f|%j|%%|%c|', 42.9, '3.5', { a: 1 }, 'color: red'")).toBe('42|3.5|{"a":1}|%||\n');
    expect(await logged("'%O and %o', { a: { b: { c: { d: 1 } } } }, [1]")).toBe("{ a: { b: { c: [Object] } } } and [ 1, [length]: 1 ]\n");
    expect(await logged("'%s', { a: { b: 1 } }")).toBe("{ a: [Object] }\n");
    expect(await logged("'a%sb', 'X', 'extra', 3")).toBe("aXb extra 3\n");
    expect(await logged("'%s'")).toBe("%s\n");
  });
});

describe("console methods and output streams", () => {
  it("sends log/info/debug to stdout and warn/error/trace to stderr, keeping their order", async () => {
    const result = await run("console.log('1'); console.error('2'); console.info('3'); console.warn('4'); console.debug('5'); console.trace('6')");
    expect(result.stdout).toBe("1\n3\n5\n");
    expect(result.stderr).toMatch(/^2\n4\nTrace: 6\n    at /);
    expect(result.output.startsWith("1\n2\n3\n4\n5\nTrace: 6")).toBe(true);
  });

  it("supports process.stdout.write, process.stderr.write and print", async () => {
    const result = await run("process.stdout.write('a'); process.stdout.write(Buffer.from('b')); process.stderr.write('e'); print('x', 1, { a: 1 })");
    expect(result.stdout).toBe("abx 1 [object Object]\n");
    expect(result.stderr).toBe("e");
  });

  it("implements table, dir, assert, count, group and time", async () => {
    const result = await run(
      [
        "console.table([{ a: 1, b: 'x' }, { a: 2 }])",
        "console.dir({ x: { y: { z: 1 } } }, { depth: 0 })",
        "console.assert(1 === 2, 'math is %s', 'broken')",
        "console.assert(true, 'not printed')",
        "console.count(); console.count(); console.count('k')",
        "console.group('outer'); console.log('inner'); console.groupEnd(); console.log('back')",
        "console.time('t'); console.timeEnd('t')",
      ].join("\n"),
    );
    expect(result.status).toBe("ok");
    expect(result.stdout).toContain("┌─────────┬───┬─────┐\n│ (index) │ a │  b  │\n├─────────┼───┼─────┤\n│    0    │ 1 │ 'x' │\n│    1    │ 2 │     │\n└─────────┴───┴─────┘\n");
    expect(result.stdout).toContain("{ x: [Object] }\n");
    expect(result.stdout).toContain("default: 1\ndefault: 2\nk: 1\n");
    expect(result.stdout).toContain("outer\n  inner\nback\n");
    expect(result.stdout).toMatch(/t: \d+(\.\d+)?ms\n/);
    expect(result.stderr).toBe("Assertion failed: math is broken\n");
    expect(result.nondeterministic).toBe(true); // console.time read the clock
  });

  it("inspects deeply nested objects without overflowing", async () => {
    const out = await stdoutOf("let o = {}; for (let i = 0; i < 5000; i++) o = { a: o }; console.log(o); console.log(require('util').inspect(o, { depth: Infinity }).length > 0)");
    expect(out).toBe("{ a: { a: { a: [Object] } } }\ntrue\n");
  });
});
