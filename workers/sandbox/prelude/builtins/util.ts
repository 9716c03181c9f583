// The public `util` module. Formatting lives in ./inspect.ts (console needs it without the rest).
export const UTIL_BUILTIN = String.raw`(function (module, internal, require) {
'use strict';
const inspection = require('internal/inspect');
const { inspect, format, formatWithOptions, types, isError } = inspection;
const { isRegExp, isDate } = types;
const { process } = internal;
const getPrototypeOf = Object.getPrototypeOf;
const ReflectApply = Reflect.apply;
const ArrayIsArray = Array.isArray;
function inherits(ctor, superCtor) {
  if (typeof ctor !== 'function') throw new TypeError('The "ctor" argument must be of type function');
  if (typeof superCtor !== 'function') throw new TypeError('The "superCtor" argument must be of type function');
  Object.defineProperty(ctor, 'super_', { value: superCtor, writable: true, configurable: true });
  Object.setPrototypeOf(ctor.prototype, superCtor.prototype);
}
const kCustomPromisify = Symbol.for('nodejs.util.promisify.custom');
function promisify(original) {
  if (typeof original !== 'function') throw new TypeError('The "original" argument must be of type function');
  if (original[kCustomPromisify]) return original[kCustomPromisify];
  function fn(...args) {
    return new Promise((resolve, reject) => {
      ReflectApply(original, this, [...args, (err, ...values) => { if (err) reject(err); else resolve(values.length > 1 ? values : values[0]); }]);
    });
  }
  Object.setPrototypeOf(fn, getPrototypeOf(original));
  return Object.defineProperties(fn, Object.getOwnPropertyDescriptors(original));
}
promisify.custom = kCustomPromisify;
function callbackify(original) {
  return function (...args) {
    const callback = args.pop();
    ReflectApply(original, this, args).then((value) => internal.enqueueTick(() => callback(null, value)), (err) => internal.enqueueTick(() => callback(err)));
  };
}
function deprecate(fn, message) {
  let warned = false;
  return function (...args) {
    if (!warned) { warned = true; process.emitWarning(message, 'DeprecationWarning'); }
    return new.target ? Reflect.construct(fn, args, new.target) : ReflectApply(fn, this, args);
  };
}
function isDeepStrictEqual(a, b) { return require('assert').isDeepEqual(a, b, true); }
function debuglog() { const log = () => {}; log.enabled = false; return log; }
function stripVTControlCharacters(str) { return String(str).replace(/\u001b\[[0-9;]*[A-Za-z]/g, ''); }

module.exports = {
  inspect, format, formatWithOptions, inherits, promisify, callbackify, deprecate, isDeepStrictEqual, types,
  debuglog, debug: debuglog, stripVTControlCharacters, toUSVString: (s) => String(s).toWellFormed(),
  styleText: (format, text) => text,
  isArray: ArrayIsArray,
  isBoolean: (v) => typeof v === 'boolean', isNull: (v) => v === null, isNullOrUndefined: (v) => v === null || v === undefined,
  isNumber: (v) => typeof v === 'number', isString: (v) => typeof v === 'string', isSymbol: (v) => typeof v === 'symbol',
  isUndefined: (v) => v === undefined, isRegExp, isObject: (v) => v !== null && typeof v === 'object', isDate,
  isError, isFunction: (v) => typeof v === 'function', isPrimitive: (v) => v === null || (typeof v !== 'object' && typeof v !== 'function'),
  get TextEncoder() { return require('buffer').TextEncoder; },
  get TextDecoder() { return require('buffer').TextDecoder; },
};
})`;
