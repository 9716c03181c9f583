// util.inspect and util.format following Node's algorithm (lib/internal/util/inspect.js): depth 2,
// breakLength 80, compact 3, array grouping in columns for more than 6 items, `<ref *1>` /
// `[Circular *1]`, Map/Set/typed arrays/boxed primitives/errors/classes/getters. No colors. Also
// the uncaught-error report. Loaded by console.log as soon as it prints something that is not a
// primitive; the rest of `util` (./util.ts) is separate to keep this as small as possible.
// Evaluated inside QuickJS; see ../core.ts for the rules this text follows.
export const INSPECT_BUILTIN = String.raw`(function (module, internal, require) {
'use strict';
const hasOwn = Object.prototype.hasOwnProperty;
const propertyIsEnumerable = Object.prototype.propertyIsEnumerable;
const objectToString = Object.prototype.toString;
const functionToString = Function.prototype.toString;
const getPrototypeOf = Object.getPrototypeOf;
const getOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
const getOwnPropertyNames = Object.getOwnPropertyNames;
const getOwnPropertySymbols = Object.getOwnPropertySymbols;
const ObjectKeys = Object.keys;
const ArrayIsArray = Array.isArray;
const ReflectApply = Reflect.apply;
const getter = (proto, name) => getOwnPropertyDescriptor(proto, name).get;
const mapSize = getter(Map.prototype, 'size');
const setSize = getter(Set.prototype, 'size');
const mapEntries = Map.prototype.entries;
const setValues = Set.prototype.values;
const weakMapHas = WeakMap.prototype.has;
const weakSetHas = WeakSet.prototype.has;
const dateGetTime = Date.prototype.getTime;
const dateToISOString = Date.prototype.toISOString;
const regexpSource = getter(RegExp.prototype, 'source');
const regexpToString = RegExp.prototype.toString;
const errorToString = Error.prototype.toString;
const TypedArrayPrototype = getPrototypeOf(Uint8Array.prototype);
const typedArrayTag = getter(TypedArrayPrototype, Symbol.toStringTag);
const typedArrayLength = getter(TypedArrayPrototype, 'length');
const arrayBufferByteLength = getter(ArrayBuffer.prototype, 'byteLength');
const sharedArrayBufferByteLength = typeof SharedArrayBuffer === 'function' ? getter(SharedArrayBuffer.prototype, 'byteLength') : undefined;
const dataViewByteLength = getter(DataView.prototype, 'byteLength');
const numberValueOf = Number.prototype.valueOf;
const stringValueOf = String.prototype.valueOf;
const booleanValueOf = Boolean.prototype.valueOf;
const bigintValueOf = BigInt.prototype.valueOf;
const symbolValueOf = Symbol.prototype.valueOf;
const AsyncFunctionPrototype = getPrototypeOf(async function () {});
const GeneratorFunctionPrototype = getPrototypeOf(function* () {});
const AsyncGeneratorFunctionPrototype = getPrototypeOf(async function* () {});
const { process, config } = internal;

function brand(check, value) { try { check(value); return true; } catch (e) { return false; } }
const isMap = (v) => brand((x) => ReflectApply(mapSize, x, []), v);
const isSet = (v) => brand((x) => ReflectApply(setSize, x, []), v);
const isWeakMap = (v) => brand((x) => ReflectApply(weakMapHas, x, [{}]), v);
const isWeakSet = (v) => brand((x) => ReflectApply(weakSetHas, x, [{}]), v);
const isDate = (v) => brand((x) => ReflectApply(dateGetTime, x, []), v);
const isRegExp = (v) => v !== RegExp.prototype && brand((x) => ReflectApply(regexpSource, x, []), v);
const isTypedArray = (v) => ReflectApply(typedArrayTag, v, []) !== undefined;
const isArrayBuffer = (v) => brand((x) => ReflectApply(arrayBufferByteLength, x, []), v);
const isSharedArrayBuffer = (v) => sharedArrayBufferByteLength !== undefined && brand((x) => ReflectApply(sharedArrayBufferByteLength, x, []), v);
const isDataView = (v) => brand((x) => ReflectApply(dataViewByteLength, x, []), v);
const isError = (v) => objectToString.call(v) === '[object Error]' || v instanceof Error;
const isPromise = (v) => v instanceof Promise || objectToString.call(v) === '[object Promise]';
const isArgumentsObject = (v) => objectToString.call(v) === '[object Arguments]';
const isNumberObject = (v) => brand((x) => ReflectApply(numberValueOf, x, []), v);
const isStringObject = (v) => brand((x) => ReflectApply(stringValueOf, x, []), v);
const isBooleanObject = (v) => brand((x) => ReflectApply(booleanValueOf, x, []), v);
const isBigIntObject = (v) => brand((x) => ReflectApply(bigintValueOf, x, []), v);
const isSymbolObject = (v) => brand((x) => ReflectApply(symbolValueOf, x, []), v);
const isBoxedPrimitive = (v) => isNumberObject(v) || isStringObject(v) || isBooleanObject(v) || isBigIntObject(v) || isSymbolObject(v);
const isAsyncFunction = (v) => typeof v === 'function' && (getPrototypeOf(v) === AsyncFunctionPrototype || getPrototypeOf(v) === AsyncGeneratorFunctionPrototype);
const isGeneratorFunction = (v) => typeof v === 'function' && (getPrototypeOf(v) === GeneratorFunctionPrototype || getPrototypeOf(v) === AsyncGeneratorFunctionPrototype);

const customInspectSymbol = Symbol.for('nodejs.util.inspect.custom');
const inspectDefaultOptions = {
  showHidden: false, depth: 2, colors: false, customInspect: true, showProxy: false,
  maxArrayLength: 100, maxStringLength: 10000, breakLength: 80, compact: 3, sorted: false,
  getters: false, numericSeparator: false,
};
const kObjectType = 0;
const kArrayType = 1;
const kArrayExtrasType = 2;
const keyStrRegExp = /^[a-zA-Z_][a-zA-Z_0-9]*$/;
const builtInObjects = new Set(getOwnPropertyNames(globalThis).filter((name) => /^[A-Z][a-zA-Z0-9]+$/.test(name)));

// ---- strings
const meta = [
  '\\x00', '\\x01', '\\x02', '\\x03', '\\x04', '\\x05', '\\x06', '\\x07',
  '\\b', '\\t', '\\n', '\\x0B', '\\f', '\\r', '\\x0E', '\\x0F',
  '\\x10', '\\x11', '\\x12', '\\x13', '\\x14', '\\x15', '\\x16', '\\x17',
  '\\x18', '\\x19', '\\x1A', '\\x1B', '\\x1C', '\\x1D', '\\x1E', '\\x1F',
];
function escapeChar(str, i, quote) {
  const code = str.charCodeAt(i);
  if (code < 32) return meta[code];
  if (code === 92) return '\\\\';
  if (code === 127) return '\\x7F';
  if (code === quote) return '\\' + String.fromCharCode(quote);
  if (code >= 0xd800 && code <= 0xdfff) {
    if (code <= 0xdbff && i + 1 < str.length) {
      const next = str.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) return null; // valid pair
    } else if (code >= 0xdc00 && i > 0) {
      const prev = str.charCodeAt(i - 1);
      if (prev >= 0xd800 && prev <= 0xdbff) return null;
    }
    return '\\u' + code.toString(16).toUpperCase();
  }
  return null;
}
function strEscape(str) {
  let quote = 39; // '
  if (str.indexOf("'") !== -1) {
    if (str.indexOf('"') === -1) quote = 34;
    else if (str.indexOf(String.fromCharCode(96)) === -1 && str.indexOf(String.fromCharCode(36, 123)) === -1) quote = 96;
  }
  let result = '';
  let last = 0;
  for (let i = 0; i < str.length; i++) {
    const code = str.charCodeAt(i);
    if (code < 32 || code === 92 || code === 127 || code === quote || (code >= 0xd800 && code <= 0xdfff)) {
      const escaped = escapeChar(str, i, quote);
      if (escaped !== null) { result += str.slice(last, i) + escaped; last = i + 1; }
    }
  }
  const q = String.fromCharCode(quote);
  return q + (last === 0 ? str : result + str.slice(last)) + q;
}

function formatNumber(n) { return n === 0 && 1 / n < 0 ? '-0' : '' + n; }
function formatBigInt(n) { return n + 'n'; }

function formatPrimitive(value, ctx) {
  if (typeof value === 'string') {
    let trailer = '';
    if (value.length > ctx.maxStringLength) {
      const remaining = value.length - ctx.maxStringLength;
      value = value.slice(0, ctx.maxStringLength);
      trailer = '... ' + remaining + ' more character' + (remaining > 1 ? 's' : '');
    }
    if (ctx.compact !== true && value.length > 16 && value.length > ctx.breakLength - ctx.indentationLvl - 4) {
      const lines = value.split(/(?<=\n)/);
      if (lines.length > 1) return lines.map((line) => strEscape(line)).join(' +\n' + ' '.repeat(ctx.indentationLvl + 2)) + trailer;
    }
    return strEscape(value) + trailer;
  }
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'bigint') return formatBigInt(value);
  if (typeof value === 'boolean') return '' + value;
  if (value === undefined) return 'undefined';
  return symbolToString(value);
}
function symbolToString(symbol) {
  const description = symbol.description;
  if (description === undefined) return 'Symbol()';
  return 'Symbol(' + description + ')';
}

// ---- stack traces: QuickJS gives only the frames; Node's err.stack starts with "Name: message".
const USER_ROOT = config.cwd + '/';
const wrapperColumns = config.wrapperPrefixLength;
function stackTraceLimit() {
  const limit = Error.stackTraceLimit;
  return typeof limit === 'number' && limit >= 0 ? limit : 10;
}
function cleanFrames(stack) {
  const lines = String(stack).split('\n');
  const out = [];
  let lastUserFrame = -1;
  for (let line of lines) {
    if (line.trim() === '') continue;
    if (line.indexOf('node:internal') !== -1) continue;
    line = line.replace(/^(\s*at )<anonymous> \(/, '$1Object.<anonymous> (');
    line = line.replace(/(\/[^\s():]+):1:(\d+)\)?$/, (match, file, col) => {
      if (!file.startsWith(USER_ROOT)) return match;
      const n = Number(col) - wrapperColumns;
      return file + ':1:' + (n > 0 ? n : 1) + (match.endsWith(')') ? ')' : '');
    });
    out.push(line.replace(/^\s+/, '    '));
    if (line.indexOf(USER_ROOT) !== -1) lastUserFrame = out.length - 1;
  }
  // Frames after the last user frame are the loader calling the module (Reflect.apply etc.).
  if (lastUserFrame !== -1) out.length = lastUserFrame + 1;
  if (out.length > stackTraceLimit()) out.length = stackTraceLimit();
  return out;
}
function errorHeader(err) {
  let name;
  let message;
  try { name = err.name; } catch (e) { name = undefined; }
  try { message = err.message; } catch (e) { message = undefined; }
  name = name === undefined ? 'Error' : String(name);
  message = message === undefined ? '' : String(message);
  // QuickJS's wording for the errors V8 reports as RangeErrors.
  if (name === 'InternalError' && message === 'stack overflow') { name = 'RangeError'; message = 'Maximum call stack size exceeded'; }
  if (name === 'InternalError' && message === 'string too long') { name = 'RangeError'; message = 'Invalid string length'; }
  return message === '' ? name : name === '' ? message : name + ': ' + message;
}
function getStackString(err) {
  let stack;
  try { stack = err.stack; } catch (e) { stack = undefined; }
  const header = errorHeader(err);
  if (typeof stack !== 'string' || stack === '') return header;
  if (/^\s+at /.test(stack)) {
    const frames = cleanFrames(stack);
    return frames.length ? header + '\n' + frames.join('\n') : header;
  }
  return stack;
}

function formatError(err, constructor, tag, ctx, keys) {
  let stack = getStackString(err);
  for (const name of ['name', 'message', 'stack']) {
    const index = keys.indexOf(name);
    if (index !== -1 && stack.indexOf(String(err[name])) !== -1) keys.splice(index, 1);
  }
  if ('cause' in err && (keys.length === 0 || keys.indexOf('cause') === -1)) keys.push('cause');
  if (ArrayIsArray(err.errors) && keys.indexOf('errors') === -1) keys.push('errors');
  const stackStart = stack.indexOf('\n    at');
  if (stackStart === -1) stack = '[' + stack + ']';
  if (ctx.indentationLvl !== 0) stack = stack.split('\n').join('\n' + ' '.repeat(ctx.indentationLvl));
  return stack;
}

// ---- prefixes, constructor names, keys
function getConstructorName(obj) {
  let current = obj;
  let depth = 0;
  while (current !== null && current !== undefined && depth < 1000) {
    const descriptor = getOwnPropertyDescriptor(current, 'constructor');
    if (descriptor !== undefined && typeof descriptor.value === 'function' && descriptor.value.name !== '') {
      try { if (obj instanceof descriptor.value) return String(descriptor.value.name); } catch (e) { /* odd Symbol.hasInstance */ }
    }
    current = getPrototypeOf(current);
    depth++;
  }
  return getPrototypeOf(obj) === null ? null : 'Object';
}
function getPrefix(constructor, tag, fallback, size) {
  size = size || '';
  if (constructor === null) {
    if (tag !== '' && fallback !== tag) return '[' + fallback + size + ': null prototype] [' + tag + '] ';
    return '[' + fallback + size + ': null prototype] ';
  }
  if (tag !== '' && constructor !== tag) return constructor + size + ' [' + tag + '] ';
  return constructor + size + ' ';
}
function getKeys(value, showHidden) {
  let keys;
  const symbols = getOwnPropertySymbols(value);
  if (showHidden) {
    keys = getOwnPropertyNames(value);
    if (symbols.length !== 0) keys.push(...symbols);
  } else {
    try { keys = ObjectKeys(value); } catch (e) { keys = []; }
    if (symbols.length !== 0) keys.push(...symbols.filter((key) => propertyIsEnumerable.call(value, key)));
  }
  return keys;
}
function isArrayIndex(key) { return typeof key === 'string' && /^(0|[1-9][0-9]*)$/.test(key) && Number(key) < 4294967295; }
function getNonIndexKeys(value, showHidden) {
  return getKeys(value, showHidden).filter((key) => !isArrayIndex(key));
}

function getFunctionBase(value, constructor, tag) {
  let source = '';
  try { source = functionToString.call(value); } catch (e) { /* ignore */ }
  if (source.startsWith('class') && source.endsWith('}')) {
    const hasName = hasOwn.call(value, 'name');
    const name = (hasName && value.name) || '(anonymous)';
    let base = 'class ' + name;
    if (constructor !== 'Function' && constructor !== null) base += ' [' + constructor + ']';
    if (tag !== '' && constructor !== tag) base += ' [' + tag + ']';
    if (constructor !== null) {
      const superName = getPrototypeOf(value).name;
      if (superName) base += ' extends ' + superName;
    } else base += ' extends [null prototype]';
    return '[' + base + ']';
  }
  let type = 'Function';
  if (isGeneratorFunction(value)) type = 'Generator' + type;
  if (isAsyncFunction(value)) type = 'Async' + type;
  let base = '[' + type;
  if (constructor === null) base += ' (null prototype)';
  if (value.name === '' || typeof value.name !== 'string') base += ' (anonymous)';
  else base += ': ' + value.name;
  base += ']';
  if (constructor !== type && constructor !== null) base += ' ' + constructor;
  if (tag !== '' && constructor !== tag) base += ' [' + tag + ']';
  return base;
}

function getBoxedBase(value, keys, constructor, tag) {
  let type;
  let primitive;
  if (isNumberObject(value)) { type = 'Number'; primitive = formatNumber(ReflectApply(numberValueOf, value, [])); }
  else if (isStringObject(value)) {
    type = 'String';
    const str = ReflectApply(stringValueOf, value, []);
    primitive = strEscape(str);
    keys.splice(0, str.length);
  } else if (isBooleanObject(value)) { type = 'Boolean'; primitive = '' + ReflectApply(booleanValueOf, value, []); }
  else if (isBigIntObject(value)) { type = 'BigInt'; primitive = formatBigInt(ReflectApply(bigintValueOf, value, [])); }
  else { type = 'Symbol'; primitive = symbolToString(ReflectApply(symbolValueOf, value, [])); }
  let base = '[' + type;
  if (type !== constructor) base += constructor === null ? ' (null prototype)' : ' (' + constructor + ')';
  base += ': ' + primitive + ']';
  if (tag !== '' && tag !== constructor) base += ' [' + tag + ']';
  return base;
}

// ---- the formatter
function formatValue(ctx, value, recurseTimes, typedArray) {
  if (typeof value !== 'object' && typeof value !== 'function') return formatPrimitive(value, ctx);
  if (value === null) return 'null';
  if (ctx.customInspect) {
    let maybeCustom;
    try { maybeCustom = value[customInspectSymbol]; } catch (e) { maybeCustom = undefined; }
    if (typeof maybeCustom === 'function' && maybeCustom !== inspect) {
      const depth = ctx.depth === null ? null : ctx.depth - recurseTimes;
      const options = Object.assign({}, ctx.userOptions, { depth, stylize: (s) => s, indentationLvl: ctx.indentationLvl });
      const ret = ReflectApply(maybeCustom, value, [depth, options, inspect]);
      if (ret !== value) {
        if (typeof ret !== 'string') return formatValue(ctx, ret, recurseTimes);
        return ret.split('\n').join('\n' + ' '.repeat(ctx.indentationLvl));
      }
    }
  }
  if (ctx.seen.indexOf(value) !== -1) {
    let index = 1;
    if (ctx.circular === undefined) { ctx.circular = new Map(); ctx.circular.set(value, index); }
    else {
      index = ctx.circular.get(value);
      if (index === undefined) { index = ctx.circular.size + 1; ctx.circular.set(value, index); }
    }
    return '[Circular *' + index + ']';
  }
  return formatRaw(ctx, value, recurseTimes, typedArray);
}

function formatRaw(ctx, value, recurseTimes, typedArray) {
  let keys;
  const constructor = getConstructorName(value);
  let tag;
  try { tag = value[Symbol.toStringTag]; } catch (e) { tag = ''; }
  if (typeof tag !== 'string' || (tag !== '' && (ctx.showHidden ? hasOwn : propertyIsEnumerable).call(value, Symbol.toStringTag))) tag = '';
  let base = '';
  let formatter = () => [];
  let braces;
  let noIterator = true;
  let extrasType = kObjectType;
  let iteratorFn;
  try { iteratorFn = value[Symbol.iterator]; } catch (e) { iteratorFn = undefined; }
  if (iteratorFn || constructor === null) {
    noIterator = false;
    if (ArrayIsArray(value)) {
      const prefix = (constructor !== 'Array' || tag !== '') ? getPrefix(constructor, tag, 'Array', '(' + value.length + ')') : '';
      keys = getNonIndexKeys(value, ctx.showHidden);
      braces = [prefix + '[', ']'];
      if (value.length === 0 && keys.length === 0) return braces[0] + ']';
      extrasType = kArrayExtrasType;
      formatter = formatArray;
    } else if (isSet(value)) {
      const size = ReflectApply(setSize, value, []);
      const prefix = getPrefix(constructor, tag, 'Set', '(' + size + ')');
      keys = getKeys(value, ctx.showHidden);
      formatter = (c, v, r) => formatSet(c, value, r);
      if (size === 0 && keys.length === 0) return prefix + '{}';
      braces = [prefix + '{', '}'];
    } else if (isMap(value)) {
      const size = ReflectApply(mapSize, value, []);
      const prefix = getPrefix(constructor, tag, 'Map', '(' + size + ')');
      keys = getKeys(value, ctx.showHidden);
      formatter = (c, v, r) => formatMap(c, value, r);
      if (size === 0 && keys.length === 0) return prefix + '{}';
      braces = [prefix + '{', '}'];
    } else if (isTypedArray(value)) {
      keys = getNonIndexKeys(value, ctx.showHidden);
      const size = ReflectApply(typedArrayLength, value, []);
      const fallback = ReflectApply(typedArrayTag, value, []);
      const prefix = getPrefix(constructor, tag, fallback, '(' + size + ')');
      braces = [prefix + '[', ']'];
      if (size === 0 && keys.length === 0 && !ctx.showHidden) return braces[0] + ']';
      formatter = (c, v, r) => formatTypedArray(value, size, c, r);
      extrasType = kArrayExtrasType;
    } else {
      noIterator = true;
    }
  }
  if (noIterator) {
    keys = getKeys(value, ctx.showHidden);
    braces = ['{', '}'];
    if (typeof value === 'function') {
      base = getFunctionBase(value, constructor, tag);
      if (keys.length === 0) return base;
    } else if (constructor === 'Object') {
      if (isArgumentsObject(value)) braces[0] = '[Arguments] [';
      else if (tag !== '') braces[0] = getPrefix(constructor, tag, 'Object') + '{';
      if (keys.length === 0) return braces[0] + '}';
      if (isArgumentsObject(value)) { braces[1] = ']'; extrasType = kArrayExtrasType; formatter = formatArguments; keys = keys.filter((k) => !isArrayIndex(k)); }
    } else if (isRegExp(value)) {
      base = ReflectApply(regexpToString, value, []);
      const prefix = getPrefix(constructor, tag, 'RegExp');
      if (prefix !== 'RegExp ') base = prefix + base;
      keys = keys.filter((k) => k !== 'lastIndex');
      if (keys.length === 0 || (ctx.depth !== null && recurseTimes > ctx.depth)) return base;
    } else if (isDate(value)) {
      const time = ReflectApply(dateGetTime, value, []);
      base = time !== time ? 'Invalid Date' : ReflectApply(dateToISOString, value, []);
      const prefix = getPrefix(constructor, tag, 'Date');
      if (prefix !== 'Date ') base = prefix + base;
      if (keys.length === 0) return base;
    } else if (isError(value)) {
      base = formatError(value, constructor, tag, ctx, keys);
      if (keys.length === 0) return base;
    } else if (isArrayBuffer(value) || isSharedArrayBuffer(value)) {
      const arrayType = isArrayBuffer(value) ? 'ArrayBuffer' : 'SharedArrayBuffer';
      const prefix = getPrefix(constructor, tag, arrayType);
      if (typedArray === undefined) formatter = formatArrayBuffer;
      else if (keys.length === 0) return prefix + '{ byteLength: ' + formatNumber(value.byteLength) + ' }';
      braces[0] = prefix + '{';
      keys.unshift('byteLength');
    } else if (isDataView(value)) {
      braces[0] = getPrefix(constructor, tag, 'DataView') + '{';
      keys.unshift('byteLength', 'byteOffset', 'buffer');
    } else if (isPromise(value)) {
      braces[0] = getPrefix(constructor, tag, 'Promise') + '{';
      formatter = formatPromise;
    } else if (isWeakSet(value)) {
      braces[0] = getPrefix(constructor, tag, 'WeakSet') + '{';
      formatter = () => ['<items unknown>'];
    } else if (isWeakMap(value)) {
      braces[0] = getPrefix(constructor, tag, 'WeakMap') + '{';
      formatter = () => ['<items unknown>'];
    } else if (isBoxedPrimitive(value)) {
      base = getBoxedBase(value, keys, constructor, tag);
      if (keys.length === 0) return base;
    } else {
      if (keys.length === 0) return getPrefix(constructor, tag, 'Object') + '{}';
      braces[0] = getPrefix(constructor, tag, 'Object') + '{';
    }
  }
  if (ctx.depth !== null && recurseTimes > ctx.depth) {
    let name = getPrefix(constructor, tag, 'Object').slice(0, -1);
    if (constructor !== null) name = '[' + name + ']';
    return name;
  }
  recurseTimes += 1;
  ctx.seen.push(value);
  ctx.currentDepth = recurseTimes;
  let output;
  try {
    output = formatter(ctx, value, recurseTimes);
    for (let i = 0; i < keys.length; i++) output.push(formatProperty(ctx, value, recurseTimes, keys[i], extrasType));
  } catch (error) {
    ctx.seen.pop();
    if (error instanceof RangeError || (error && error.name === 'InternalError')) {
      return '[' + getPrefix(constructor, tag, 'Object').slice(0, -1) + ': Inspection interrupted prematurely. Maximum call stack size exceeded.]';
    }
    throw error;
  }
  if (ctx.circular !== undefined) {
    const index = ctx.circular.get(value);
    if (index !== undefined) {
      const reference = '<ref *' + index + '>';
      if (ctx.compact !== true) base = base === '' ? reference : reference + ' ' + base;
      else braces[0] = reference + ' ' + braces[0];
    }
  }
  ctx.seen.pop();
  if (ctx.sorted) {
    const comparator = ctx.sorted === true ? undefined : ctx.sorted;
    if (extrasType === kObjectType) output.sort(comparator);
    else if (keys.length > 1) { const sorted = output.slice(output.length - keys.length).sort(comparator); output.splice(output.length - keys.length, keys.length, ...sorted); }
  }
  return reduceToSingleString(ctx, output, base, braces, extrasType, recurseTimes, value);
}

function formatArray(ctx, value, recurseTimes) {
  const valLen = value.length;
  const len = Math.min(Math.max(0, ctx.maxArrayLength), valLen);
  const remaining = valLen - len;
  const output = [];
  for (let i = 0; i < len; i++) {
    if (!hasOwn.call(value, i)) return formatSpecialArray(ctx, value, recurseTimes, len, output, i);
    output.push(formatProperty(ctx, value, recurseTimes, i, kArrayType));
  }
  if (remaining > 0) output.push('... ' + remaining + ' more item' + (remaining > 1 ? 's' : ''));
  return output;
}
function formatSpecialArray(ctx, value, recurseTimes, maxLength, output, i) {
  const keys = ObjectKeys(value);
  let index = i;
  for (; i < keys.length && output.length < maxLength; i++) {
    const key = keys[i];
    if (!isArrayIndex(key)) break;
    const tmp = Number(key);
    if (tmp < index) continue;
    if (tmp !== index) {
      const emptyItems = tmp - index;
      output.push('<' + emptyItems + ' empty item' + (emptyItems > 1 ? 's' : '') + '>');
      index = tmp;
      if (output.length === maxLength) break;
    }
    output.push(formatProperty(ctx, value, recurseTimes, key, kArrayType));
    index++;
  }
  const remaining = value.length - index;
  if (output.length !== maxLength) {
    if (remaining > 0) output.push('<' + remaining + ' empty item' + (remaining > 1 ? 's' : '') + '>');
  } else if (remaining > 0) {
    output.push('... ' + remaining + ' more item' + (remaining > 1 ? 's' : ''));
  }
  return output;
}
function formatArguments(ctx, value, recurseTimes) {
  const output = [];
  for (let i = 0; i < value.length; i++) output.push(formatProperty(ctx, value, recurseTimes, i, kArrayType));
  return output;
}
function formatTypedArray(value, length, ctx, recurseTimes) {
  const maxLength = Math.min(Math.max(0, ctx.maxArrayLength), length);
  const remaining = length - maxLength;
  const output = new Array(maxLength);
  const elementFormatter = value.length > 0 && typeof value[0] === 'bigint' ? formatBigInt : formatNumber;
  for (let i = 0; i < maxLength; ++i) output[i] = elementFormatter(value[i]);
  if (remaining > 0) output[maxLength] = '... ' + remaining + ' more item' + (remaining > 1 ? 's' : '');
  if (ctx.showHidden) {
    ctx.indentationLvl += 2;
    for (const key of ['BYTES_PER_ELEMENT', 'length', 'byteLength', 'byteOffset', 'buffer']) {
      output.push('[' + key + ']: ' + formatValue(ctx, value[key], recurseTimes, true));
    }
    ctx.indentationLvl -= 2;
  }
  return output;
}
function formatArrayBuffer(ctx, value) {
  let bytes;
  try { bytes = new Uint8Array(value); } catch (e) { return ['<detached>']; }
  let str = '';
  const max = Math.min(ctx.maxArrayLength, bytes.length);
  for (let i = 0; i < max; i++) str += (i ? ' ' : '') + (bytes[i] < 16 ? '0' : '') + bytes[i].toString(16);
  const remaining = bytes.length - ctx.maxArrayLength;
  if (remaining > 0) str += ' ... ' + remaining + ' more byte' + (remaining > 1 ? 's' : '');
  return ['[Uint8Contents]: <' + str + '>'];
}
function formatSet(ctx, set, recurseTimes) {
  const length = ReflectApply(setSize, set, []);
  const maxLength = Math.min(Math.max(0, ctx.maxArrayLength), length);
  const remaining = length - maxLength;
  const output = [];
  ctx.indentationLvl += 2;
  let i = 0;
  for (const v of ReflectApply(setValues, set, [])) {
    if (i >= maxLength) break;
    output.push(formatValue(ctx, v, recurseTimes));
    i++;
  }
  if (remaining > 0) output.push('... ' + remaining + ' more item' + (remaining > 1 ? 's' : ''));
  ctx.indentationLvl -= 2;
  return output;
}
function formatMap(ctx, map, recurseTimes) {
  const length = ReflectApply(mapSize, map, []);
  const maxLength = Math.min(Math.max(0, ctx.maxArrayLength), length);
  const remaining = length - maxLength;
  const output = [];
  ctx.indentationLvl += 2;
  let i = 0;
  for (const entry of ReflectApply(mapEntries, map, [])) {
    if (i >= maxLength) break;
    output.push(formatValue(ctx, entry[0], recurseTimes) + ' => ' + formatValue(ctx, entry[1], recurseTimes));
    i++;
  }
  if (remaining > 0) output.push('... ' + remaining + ' more item' + (remaining > 1 ? 's' : ''));
  ctx.indentationLvl -= 2;
  return output;
}
function formatPromise(ctx, value, recurseTimes) {
  const state = internal.promiseState(value);
  if (state === 0) return ['<pending>'];
  ctx.indentationLvl += 2;
  const str = formatValue(ctx, internal.promiseResult(value), recurseTimes);
  ctx.indentationLvl -= 2;
  return [state === 2 ? '<rejected> ' + str : str];
}
function formatProperty(ctx, value, recurseTimes, key, type) {
  let name;
  let str;
  let desc;
  try { desc = getOwnPropertyDescriptor(value, key); } catch (e) { desc = undefined; }
  if (desc === undefined) desc = { value: value[key], enumerable: true };
  if (desc.value !== undefined) {
    const diff = (ctx.compact !== true || type !== kObjectType) ? 2 : 3;
    ctx.indentationLvl += diff;
    str = formatValue(ctx, desc.value, recurseTimes);
    ctx.indentationLvl -= diff;
  } else if (desc.get !== undefined) {
    const label = desc.set !== undefined ? 'Getter/Setter' : 'Getter';
    if (ctx.getters) {
      try {
        const tmp = ReflectApply(desc.get, value, []);
        ctx.indentationLvl += 2;
        str = '[' + label + ': ' + formatValue(ctx, tmp, recurseTimes) + ']';
        ctx.indentationLvl -= 2;
      } catch (err) {
        str = '[' + label + ': <Inspection threw (' + (err && err.message) + ')>]';
      }
    } else str = '[' + label + ']';
  } else if (desc.set !== undefined) str = '[Setter]';
  else str = 'undefined';
  if (type === kArrayType) return str;
  if (typeof key === 'symbol') name = '[' + symbolToString(key) + ']';
  else if (key === '__proto__') name = "['__proto__']";
  else if (desc.enumerable === false) name = '[' + key + ']';
  else if (keyStrRegExp.test(key)) name = key;
  else name = strEscape(key);
  return name + ': ' + str;
}

function isBelowBreakLength(ctx, output, start, base) {
  let totalLength = output.length + start;
  if (totalLength + output.length > ctx.breakLength) return false;
  for (let i = 0; i < output.length; i++) {
    totalLength += output[i].length;
    if (totalLength > ctx.breakLength) return false;
  }
  return base === '' || base.indexOf('\n') === -1;
}
function groupArrayElements(ctx, output, value) {
  let totalLength = 0;
  let maxLength = 0;
  let i = 0;
  let outputLength = output.length;
  if (ctx.maxArrayLength < output.length) outputLength--;
  const separatorSpace = 2;
  const dataLen = new Array(outputLength);
  for (; i < outputLength; i++) {
    const len = output[i].length;
    dataLen[i] = len;
    totalLength += len + separatorSpace;
    if (maxLength < len) maxLength = len;
  }
  const actualMax = maxLength + separatorSpace;
  if (actualMax * 3 + ctx.indentationLvl < ctx.breakLength && (totalLength / actualMax > 5 || maxLength <= 6)) {
    const approxCharHeights = 2.5;
    const averageBias = Math.sqrt(actualMax - totalLength / output.length);
    const biasedMax = Math.max(actualMax - 3 - averageBias, 1);
    const columns = Math.min(
      Math.round(Math.sqrt(approxCharHeights * biasedMax * outputLength) / biasedMax),
      Math.floor((ctx.breakLength - ctx.indentationLvl) / actualMax),
      ctx.compact * 4,
      15,
    );
    if (columns <= 1) return output;
    const tmp = [];
    const maxLineLength = [];
    for (let c = 0; c < columns; c++) {
      let lineLength = 0;
      for (let j = c; j < output.length; j += columns) if (dataLen[j] > lineLength) lineLength = dataLen[j];
      maxLineLength.push(lineLength + separatorSpace);
    }
    let padStart = true;
    if (value !== undefined) {
      for (let k = 0; k < output.length; k++) {
        if (typeof value[k] !== 'number' && typeof value[k] !== 'bigint') { padStart = false; break; }
      }
    }
    for (let k = 0; k < outputLength; k += columns) {
      const max = Math.min(k + columns, outputLength);
      let str = '';
      let j = k;
      for (; j < max - 1; j++) {
        const padding = maxLineLength[j - k];
        str += padStart ? (output[j] + ', ').padStart(padding, ' ') : (output[j] + ', ').padEnd(padding, ' ');
      }
      if (padStart) str += output[j].padStart(maxLineLength[j - k] - separatorSpace, ' ');
      else str += output[j];
      tmp.push(str);
    }
    if (ctx.maxArrayLength < output.length) tmp.push(output[outputLength]);
    output = tmp;
  }
  return output;
}
function reduceToSingleString(ctx, output, base, braces, extrasType, recurseTimes, value) {
  if (ctx.compact !== true) {
    if (typeof ctx.compact === 'number' && ctx.compact >= 1) {
      const entries = output.length;
      if (extrasType === kArrayExtrasType && entries > 6) output = groupArrayElements(ctx, output, value);
      if (ctx.currentDepth - recurseTimes < ctx.compact && entries === output.length) {
        const start = output.length + ctx.indentationLvl + braces[0].length + base.length + 10;
        if (isBelowBreakLength(ctx, output, start, base)) {
          const joined = output.join(', ');
          if (joined.indexOf('\n') === -1) return (base ? base + ' ' : '') + braces[0] + ' ' + joined + ' ' + braces[1];
        }
      }
    }
    const indentation = '\n' + ' '.repeat(ctx.indentationLvl);
    return (base ? base + ' ' : '') + braces[0] + indentation + '  ' + output.join(',' + indentation + '  ') + indentation + braces[1];
  }
  if (isBelowBreakLength(ctx, output, 0, base)) return braces[0] + (base ? ' ' + base : '') + ' ' + output.join(', ') + ' ' + braces[1];
  const indentation = '\n' + ' '.repeat(ctx.indentationLvl);
  const ln = base === '' && braces[0].length === 1 ? ' ' : (base ? ' ' + base : '') + indentation + '  ';
  return braces[0] + ln + output.join(',' + indentation + '  ') + ' ' + braces[1];
}

function inspect(value, opts) {
  const ctx = {
    seen: [], indentationLvl: 0, currentDepth: 0, circular: undefined, userOptions: undefined,
    showHidden: inspectDefaultOptions.showHidden, depth: inspectDefaultOptions.depth,
    customInspect: inspectDefaultOptions.customInspect, maxArrayLength: inspectDefaultOptions.maxArrayLength,
    maxStringLength: inspectDefaultOptions.maxStringLength, breakLength: inspectDefaultOptions.breakLength,
    compact: inspectDefaultOptions.compact, sorted: inspectDefaultOptions.sorted, getters: inspectDefaultOptions.getters,
  };
  if (arguments.length > 1) {
    if (typeof opts === 'boolean') { ctx.showHidden = opts; if (arguments.length > 2 && arguments[2] !== undefined) ctx.depth = arguments[2]; }
    else if (opts !== null && typeof opts === 'object') {
      ctx.userOptions = opts;
      for (const key of ObjectKeys(opts)) {
        if (hasOwn.call(inspectDefaultOptions, key) || key === 'stylize') ctx[key] = opts[key];
      }
    }
  }
  if (ctx.depth === Infinity) ctx.depth = null;
  if (ctx.maxArrayLength === null) ctx.maxArrayLength = Infinity;
  if (ctx.maxStringLength === null) ctx.maxStringLength = Infinity;
  return formatValue(ctx, value, 0);
}
inspect.custom = customInspectSymbol;
Object.defineProperty(inspect, 'defaultOptions', {
  get() { return inspectDefaultOptions; },
  set(options) { Object.assign(inspectDefaultOptions, options); },
});
inspect.colors = Object.assign(Object.create(null), { reset: [0, 0], bold: [1, 22], dim: [2, 22], italic: [3, 23], underline: [4, 24], inverse: [7, 27], hidden: [8, 28], strikethrough: [9, 29], black: [30, 39], red: [31, 39], green: [32, 39], yellow: [33, 39], blue: [34, 39], magenta: [35, 39], cyan: [36, 39], white: [37, 39], gray: [90, 39] });
inspect.styles = Object.assign(Object.create(null), { special: 'cyan', number: 'yellow', bigint: 'yellow', boolean: 'yellow', undefined: 'grey', null: 'bold', string: 'green', symbol: 'green', date: 'magenta', regexp: 'red', module: 'underline' });

// ---- util.format
function hasBuiltInToString(value) {
  let toStringFn;
  try { toStringFn = value.toString; } catch (e) { return true; }
  if (typeof toStringFn !== 'function') return true;
  if (hasOwn.call(value, 'toString')) return false;
  let pointer = value;
  do { pointer = getPrototypeOf(pointer); } while (pointer !== null && !hasOwn.call(pointer, 'toString'));
  if (pointer === null) return true;
  const descriptor = getOwnPropertyDescriptor(pointer, 'constructor');
  return descriptor !== undefined && typeof descriptor.value === 'function' && builtInObjects.has(descriptor.value.name);
}
function tryStringify(arg) {
  try { return JSON.stringify(arg); }
  catch (err) {
    if (err && /circular/i.test(String(err.message))) return '[Circular]';
    throw err;
  }
}
function formatWithOptionsInternal(inspectOptions, args) {
  const first = args[0];
  let a = 0;
  let str = '';
  let join = '';
  if (typeof first === 'string') {
    if (args.length === 1) return first;
    let tempStr;
    let lastPos = 0;
    for (let i = 0; i < first.length - 1; i++) {
      if (first.charCodeAt(i) === 37) {
        const nextChar = first.charCodeAt(++i);
        if (a + 1 !== args.length) {
          switch (nextChar) {
            case 115: {
              const tempArg = args[++a];
              if (typeof tempArg === 'number') tempStr = formatNumber(tempArg);
              else if (typeof tempArg === 'bigint') tempStr = formatBigInt(tempArg);
              else if (typeof tempArg !== 'object' || tempArg === null || !hasBuiltInToString(tempArg)) tempStr = String(tempArg);
              else tempStr = inspect(tempArg, Object.assign({}, inspectOptions, { depth: 0, colors: false, compact: 3 }));
              break;
            }
            case 106: tempStr = tryStringify(args[++a]); break;
            case 100: {
              const tempNum = args[++a];
              if (typeof tempNum === 'bigint') tempStr = formatBigInt(tempNum);
              else if (typeof tempNum === 'symbol') tempStr = 'NaN';
              else tempStr = formatNumber(Number(tempNum));
              break;
            }
            case 79: tempStr = inspect(args[++a], inspectOptions); break;
            case 111: tempStr = inspect(args[++a], Object.assign({}, inspectOptions, { showHidden: true, showProxy: true, depth: 4 })); break;
            case 105: {
              const tempInteger = args[++a];
              if (typeof tempInteger === 'bigint') tempStr = formatBigInt(tempInteger);
              else if (typeof tempInteger === 'symbol') tempStr = 'NaN';
              else tempStr = formatNumber(parseInt(tempInteger));
              break;
            }
            case 102: {
              const tempFloat = args[++a];
              if (typeof tempFloat === 'symbol') tempStr = 'NaN';
              else tempStr = formatNumber(parseFloat(tempFloat));
              break;
            }
            case 99: a += 1; tempStr = ''; break;
            case 37: str += first.slice(lastPos, i); lastPos = i + 1; continue;
            default: continue;
          }
          if (lastPos !== i - 1) str += first.slice(lastPos, i - 1);
          str += tempStr;
          lastPos = i + 1;
        } else if (nextChar === 37) {
          str += first.slice(lastPos, i);
          lastPos = i + 1;
        }
      }
    }
    if (lastPos !== 0) {
      a++;
      join = ' ';
      if (lastPos < first.length) str += first.slice(lastPos);
    }
  }
  while (a < args.length) {
    const value = args[a];
    str += join;
    str += typeof value !== 'string' ? inspect(value, inspectOptions) : value;
    join = ' ';
    a++;
  }
  return str;
}
function format(...args) { return formatWithOptionsInternal(undefined, args); }
function formatWithOptions(inspectOptions, ...args) {
  if (inspectOptions === null || typeof inspectOptions !== 'object') throw new TypeError('The "inspectOptions" argument must be of type object. Received ' + describeType(inspectOptions));
  return formatWithOptionsInternal(inspectOptions, args);
}

// ---- pieces console and the runtime use
function describeType(value) {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'function') return 'function ' + (value.name || '<anonymous>');
  if (typeof value === 'object') {
    const name = getConstructorName(value);
    return name ? 'an instance of ' + name : inspect(value, { depth: -1 });
  }
  let shown = inspect(value, { colors: false });
  if (shown.length > 28) shown = shown.slice(0, 25) + '...';
  return 'type ' + typeof value + ' (' + shown + ')';
}
function formatDuration(ms) {
  let hours = 0;
  let minutes = 0;
  let seconds = 0;
  if (ms >= 1000) {
    if (ms >= 60000) {
      if (ms >= 3600000) { hours = Math.floor(ms / 3600000); ms = ms % 3600000; }
      minutes = Math.floor(ms / 60000);
      ms = ms % 60000;
    }
    seconds = ms / 1000;
  }
  if (hours !== 0 || minutes !== 0) {
    const parts = seconds.toFixed(3).split('.');
    const pad = (n) => String(n).padStart(2, '0');
    const head = hours !== 0 ? hours + ':' + pad(minutes) : minutes;
    return head + ':' + pad(parts[0]) + '.' + parts[1] + ' (' + (hours !== 0 ? 'h:m' : '') + 'm:ss.mmm)';
  }
  if (seconds !== 0) return seconds.toFixed(3) + 's';
  return Number(ms.toFixed(3)) + 'ms';
}
function formatTrace(args, error) {
  const message = args.length ? internal.formatArgs(args) : '';
  const frames = cleanFrames(error.stack || '');
  return 'Trace' + (message ? ': ' + message : '') + (frames.length ? '\n' + frames.join('\n') : '');
}
function sourceExcerpt(file, line, column) {
  const text = config.files[file];
  if (typeof text !== 'string') return '';
  const lines = text.split('\n');
  const source = lines[line - 1];
  if (source === undefined) return '';
  return file + ':' + line + '\n' + source.replace(/\r$/, '') + '\n' + ' '.repeat(Math.max(0, column - 1)) + '^\n\n';
}
function locationOf(error) {
  let stack;
  try { stack = error.stack; } catch (e) { return null; }
  if (typeof stack !== 'string') return null;
  for (const frame of cleanFrames(stack)) {
    const match = /\((\/[^():]+):(\d+):(\d+)\)$/.exec(frame) || /at (\/[^():]+):(\d+):(\d+)$/.exec(frame);
    if (match && match[1].startsWith(USER_ROOT)) return { file: match[1], line: Number(match[2]), column: Number(match[3]) };
  }
  return null;
}
function formatUncaught(error) {
  let body;
  if (error !== null && (typeof error === 'object' || typeof error === 'function') && isError(error)) {
    const where = locationOf(error);
    body = (where ? sourceExcerpt(where.file, where.line, where.column) : '') + inspect(error);
  } else {
    body = 'Uncaught ' + inspect(error);
  }
  return body + '\n\nNode.js ' + process.version + '\n';
}

module.exports = {
  inspect, format, formatWithOptions, formatUncaught, formatTrace, formatDuration, describeType,
  getConstructorName, symbolToString,
  types: {
    isMap, isSet, isWeakMap, isWeakSet, isDate, isRegExp, isTypedArray, isArrayBuffer, isSharedArrayBuffer,
    isAnyArrayBuffer: (v) => isArrayBuffer(v) || isSharedArrayBuffer(v), isDataView, isPromise,
    isNativeError: (v) => objectToString.call(v) === '[object Error]', isArgumentsObject, isBoxedPrimitive,
    isNumberObject, isStringObject, isBooleanObject, isBigIntObject, isSymbolObject, isAsyncFunction, isGeneratorFunction,
    isGeneratorObject: (v) => objectToString.call(v) === '[object Generator]',
    isMapIterator: (v) => objectToString.call(v) === '[object Map Iterator]',
    isSetIterator: (v) => objectToString.call(v) === '[object Set Iterator]',
    isUint8Array: (v) => isTypedArray(v) && ReflectApply(typedArrayTag, v, []) === 'Uint8Array',
    isProxy: () => false, isExternal: () => false, isModuleNamespaceObject: () => false,
  },
  isError,
};
})`;
