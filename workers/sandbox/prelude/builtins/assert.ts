// `assert` and `assert/strict`, with Node's message shapes for the common assertions.
export const ASSERT_BUILTIN = String.raw`(function (module, internal, require) {
'use strict';
const { inspect } = require('internal/inspect');
const hasOwn = Object.prototype.hasOwnProperty;
const objectToString = Object.prototype.toString;

class AssertionError extends Error {
  constructor(options) {
    const { message, actual, expected, operator } = options;
    super(message);
    this.name = 'AssertionError';
    this.code = 'ERR_ASSERTION';
    this.actual = actual;
    this.expected = expected;
    this.operator = operator;
    this.generatedMessage = !options.userMessage;
  }
}
function show(value) { return inspect(value, { depth: 1000, compact: false, breakLength: Infinity, sorted: true }); }
function fail(options, message) {
  if (message instanceof Error) throw message;
  throw new AssertionError(Object.assign({}, options, message !== undefined ? { message: String(message), userMessage: true } : {}));
}

function isDeepEqual(a, b, strict, memo) {
  if (strict ? Object.is(a, b) : (a == b || (a !== a && b !== b))) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    return false;
  }
  if (strict && Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  const tagA = objectToString.call(a);
  if (tagA !== objectToString.call(b)) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (a instanceof Date && b instanceof Date) { if (a.getTime() !== b.getTime()) return false; }
  else if (a instanceof RegExp && b instanceof RegExp) { if (String(a) !== String(b) || a.lastIndex !== b.lastIndex) return false; }
  else if (a instanceof Error && b instanceof Error) { if (a.message !== b.message || a.name !== b.name) return false; }
  else if (ArrayBuffer.isView(a) && ArrayBuffer.isView(b)) {
    if (a.byteLength !== b.byteLength) return false;
    const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  } else if (typeof Number.prototype.valueOf === 'function' && (a instanceof Number || a instanceof String || a instanceof Boolean)) {
    if (!Object.is(a.valueOf(), b.valueOf())) return false;
  }
  memo = memo || { a: [], b: [] };
  for (let i = 0; i < memo.a.length; i++) if (memo.a[i] === a) return memo.b[i] === b;
  memo.a.push(a); memo.b.push(b);
  try {
    if (a instanceof Map && b instanceof Map) {
      if (a.size !== b.size) return false;
      for (const [key, value] of a) {
        if (!b.has(key)) {
          if (strict && (typeof key !== 'object' || key === null)) return false;
          let found = false;
          for (const [k2, v2] of b) if (isDeepEqual(key, k2, strict, memo) && isDeepEqual(value, v2, strict, memo)) { found = true; break; }
          if (!found) return false;
        } else if (!isDeepEqual(value, b.get(key), strict, memo)) return false;
      }
    } else if (a instanceof Set && b instanceof Set) {
      if (a.size !== b.size) return false;
      for (const value of a) {
        if (!b.has(value)) {
          let found = false;
          for (const v2 of b) if (isDeepEqual(value, v2, strict, memo)) { found = true; break; }
          if (!found) return false;
        }
      }
    }
    const keysA = Object.keys(a);
    const keysB = Object.keys(b);
    if (keysA.length !== keysB.length) return false;
    for (const key of keysA) {
      if (!hasOwn.call(b, key)) return false;
      if (!isDeepEqual(a[key], b[key], strict, memo)) return false;
    }
    if (strict) {
      const symA = Object.getOwnPropertySymbols(a).filter((s) => Object.prototype.propertyIsEnumerable.call(a, s));
      const symB = Object.getOwnPropertySymbols(b).filter((s) => Object.prototype.propertyIsEnumerable.call(b, s));
      if (symA.length !== symB.length) return false;
      for (const s of symA) if (!isDeepEqual(a[s], b[s], strict, memo)) return false;
    }
    return true;
  } finally {
    memo.a.pop(); memo.b.pop();
  }
}

function diffMessage(header, actual, expected, operator) {
  const a = show(actual);
  const e = show(expected);
  if (a.indexOf('\n') === -1 && e.indexOf('\n') === -1 && operator !== 'deepStrictEqual' && operator !== 'deepEqual') {
    return header + ':\n\n' + a + ' ' + (operator === 'strictEqual' ? '!==' : '!=') + ' ' + e + '\n';
  }
  const aLines = a.split('\n');
  const eLines = e.split('\n');
  let out = header + ':\n+ actual - expected\n\n';
  const max = Math.max(aLines.length, eLines.length);
  for (let i = 0; i < max; i++) {
    if (aLines[i] === eLines[i]) out += '  ' + aLines[i] + '\n';
    else {
      if (aLines[i] !== undefined) out += '+ ' + aLines[i] + '\n';
      if (eLines[i] !== undefined) out += '- ' + eLines[i] + '\n';
    }
  }
  return out;
}

function ok(value, message) {
  if (!value) fail({ message: message === undefined && arguments.length === 0 ? 'No value argument passed to ' + "'assert.ok()'" : 'The expression evaluated to a falsy value:\n\n  assert.ok(' + show(value) + ')\n', actual: value, expected: true, operator: '==' }, message);
}
function assert(value, message) {
  if (!value) fail({ message: arguments.length === 0 ? 'No value argument passed to ' + "'assert.ok()'" : 'The expression evaluated to a falsy value:\n\n  assert(' + show(value) + ')\n', actual: value, expected: true, operator: '==' }, message);
}
function makeAssert(strictMode) {
  const target = strictMode ? function strict(value, message) { return assert.apply(undefined, arguments); } : assert;
  const strictEqual = (actual, expected, message) => {
    if (!Object.is(actual, expected)) fail({ message: diffMessage('Expected values to be strictly equal', actual, expected, 'strictEqual'), actual, expected, operator: 'strictEqual' }, message);
  };
  const notStrictEqual = (actual, expected, message) => {
    if (Object.is(actual, expected)) fail({ message: 'Expected "actual" to be strictly unequal to: ' + show(expected), actual, expected, operator: 'notStrictEqual' }, message);
  };
  const deepStrictEqual = (actual, expected, message) => {
    if (!isDeepEqual(actual, expected, true)) fail({ message: diffMessage('Expected values to be strictly deep-equal', actual, expected, 'deepStrictEqual'), actual, expected, operator: 'deepStrictEqual' }, message);
  };
  const notDeepStrictEqual = (actual, expected, message) => {
    if (isDeepEqual(actual, expected, true)) fail({ message: 'Expected "actual" not to be strictly deep-equal to: ' + show(expected), actual, expected, operator: 'notDeepStrictEqual' }, message);
  };
  Object.assign(target, {
    ok, fail(message) { fail({ message: 'Failed', operator: 'fail' }, message === undefined ? undefined : message); },
    equal: strictMode ? strictEqual : (actual, expected, message) => { if (!(actual == expected || (actual !== actual && expected !== expected))) fail({ message: diffMessage('Expected values to be loosely equal', actual, expected, '=='), actual, expected, operator: '==' }, message); },
    notEqual: strictMode ? notStrictEqual : (actual, expected, message) => { if (actual == expected) fail({ message: show(actual) + ' != ' + show(expected), actual, expected, operator: '!=' }, message); },
    deepEqual: strictMode ? deepStrictEqual : (actual, expected, message) => { if (!isDeepEqual(actual, expected, false)) fail({ message: diffMessage('Expected values to be loosely deep-equal', actual, expected, 'deepEqual'), actual, expected, operator: 'deepEqual' }, message); },
    notDeepEqual: strictMode ? notDeepStrictEqual : (actual, expected, message) => { if (isDeepEqual(actual, expected, false)) fail({ message: 'Expected "actual" not to be loosely deep-equal to: ' + show(expected), actual, expected, operator: 'notDeepEqual' }, message); },
    strictEqual, notStrictEqual, deepStrictEqual, notDeepStrictEqual,
    throws(fn, expected, message) {
      if (typeof expected === 'string') { message = expected; expected = undefined; }
      try { fn(); } catch (error) { checkExpected(error, expected, message, 'throws'); return; }
      fail({ message: 'Missing expected exception' + (expected && expected.name ? ' (' + expected.name + ').' : '.'), operator: 'throws' }, message);
    },
    doesNotThrow(fn, expected, message) {
      try { fn(); } catch (error) { fail({ message: 'Got unwanted exception.\nActual message: "' + (error && error.message) + '"', actual: error, operator: 'doesNotThrow' }, typeof expected === 'string' ? expected : message); }
    },
    async rejects(promiseOrFn, expected, message) {
      if (typeof expected === 'string') { message = expected; expected = undefined; }
      try { await (typeof promiseOrFn === 'function' ? promiseOrFn() : promiseOrFn); } catch (error) { checkExpected(error, expected, message, 'rejects'); return; }
      fail({ message: 'Missing expected rejection' + (expected && expected.name ? ' (' + expected.name + ').' : '.'), operator: 'rejects' }, message);
    },
    async doesNotReject(promiseOrFn, expected, message) {
      try { await (typeof promiseOrFn === 'function' ? promiseOrFn() : promiseOrFn); } catch (error) { fail({ message: 'Got unwanted rejection.\nActual message: "' + (error && error.message) + '"', actual: error, operator: 'doesNotReject' }, typeof expected === 'string' ? expected : message); }
    },
    match(string, regexp, message) { if (!regexp.test(string)) fail({ message: 'The input did not match the regular expression ' + String(regexp) + '. Input:\n\n' + show(string) + '\n', actual: string, expected: regexp, operator: 'match' }, message); },
    doesNotMatch(string, regexp, message) { if (regexp.test(string)) fail({ message: 'The input was expected to not match the regular expression ' + String(regexp) + '. Input:\n\n' + show(string) + '\n', actual: string, expected: regexp, operator: 'doesNotMatch' }, message); },
    ifError(value) { if (value !== null && value !== undefined) { if (value instanceof Error) throw value; fail({ message: 'ifError got unwanted exception: ' + show(value), actual: value, operator: 'ifError' }); } },
    AssertionError, isDeepEqual,
  });
  return target;
}
function checkExpected(error, expected, message, operator) {
  if (expected === undefined) return;
  if (typeof expected === 'function') {
    if (expected.prototype !== undefined && error instanceof expected) return;
    if (Error.isPrototypeOf(expected) || expected === Error) throw error;
    if (expected.call({}, error) === true) return;
    fail({ message: 'The validation function is expected to return "true". Received ' + show(false), actual: error, expected, operator }, message);
  }
  if (expected instanceof RegExp) { if (expected.test(String(error))) return; fail({ message: 'The input did not match the regular expression ' + String(expected) + '. Input:\n\n' + show(String(error)) + '\n', actual: error, expected, operator }, message); }
  if (typeof expected === 'object' && expected !== null) {
    for (const key of Object.keys(expected)) {
      const want = expected[key];
      const got = error[key];
      const same = want instanceof RegExp && typeof got === 'string' ? want.test(got) : isDeepEqual(got, want, true);
      if (!same) fail({ message: diffMessage('Expected values to be strictly deep-equal', got, want, 'deepStrictEqual'), actual: error, expected, operator }, message);
    }
  }
}
const loose = makeAssert(false);
loose.strict = makeAssert(true);
loose.strict.strict = loose.strict;
module.exports = loose;
})`;
