// structuredClone (the global), for the types a program can build inside the sandbox.
export const CLONE_BUILTIN = String.raw`(function (module, internal, require) {
'use strict';
const { inspect, types, symbolToString, isError } = require('internal/inspect');
const { isDate, isRegExp, isMap, isSet, isArrayBuffer, isTypedArray, isDataView, isBoxedPrimitive, isWeakMap, isWeakSet, isPromise } = types;
const hasOwn = Object.prototype.hasOwnProperty;
const ObjectKeys = Object.keys;
const ArrayIsArray = Array.isArray;
const ReflectApply = Reflect.apply;
const dateGetTime = Date.prototype.getTime;
function structuredClone(value, options) {
  const seen = new Map();
  function clone(v) {
    if (typeof v === 'function' || typeof v === 'symbol') {
      const error = new Error((typeof v === 'function' ? inspect(v) : symbolToString(v)) + ' could not be cloned.');
      error.name = 'DataCloneError';
      error.code = 25;
      throw error;
    }
    if (typeof v !== 'object' || v === null) return v;
    if (seen.has(v)) return seen.get(v);
    let out;
    if (ArrayIsArray(v)) { out = []; seen.set(v, out); for (let i = 0; i < v.length; i++) if (hasOwn.call(v, i)) out[i] = clone(v[i]); return out; }
    if (isDate(v)) { out = new Date(ReflectApply(dateGetTime, v, [])); seen.set(v, out); return out; }
    if (isRegExp(v)) { out = new RegExp(v.source, v.flags); seen.set(v, out); return out; }
    if (isMap(v)) { out = new Map(); seen.set(v, out); for (const [k, val] of v) out.set(clone(k), clone(val)); return out; }
    if (isSet(v)) { out = new Set(); seen.set(v, out); for (const val of v) out.add(clone(val)); return out; }
    if (isArrayBuffer(v)) { out = v.slice(0); seen.set(v, out); return out; }
    if (isTypedArray(v)) { const C = v.constructor; out = new C(clone(v.buffer), v.byteOffset, v.length); seen.set(v, out); return out; }
    if (isDataView(v)) { out = new DataView(clone(v.buffer), v.byteOffset, v.byteLength); seen.set(v, out); return out; }
    if (isBoxedPrimitive(v)) { out = Object(v.valueOf()); seen.set(v, out); return out; }
    if (isError(v)) {
      const C = { EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError }[v.name] || Error;
      out = new C(v.message); seen.set(v, out);
      if (typeof v.stack === 'string') out.stack = v.stack;
      if ('cause' in v) out.cause = clone(v.cause);
      return out;
    }
    if (isWeakMap(v) || isWeakSet(v) || isPromise(v)) {
      const error = new Error(inspect(v) + ' could not be cloned.');
      error.name = 'DataCloneError';
      throw error;
    }
    out = {};
    seen.set(v, out);
    for (const key of ObjectKeys(v)) out[key] = clone(v[key]);
    return out;
  }
  return clone(value);
}

module.exports = structuredClone;
})`;
