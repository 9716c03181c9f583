// The part of the Node-like environment every run starts with, evaluated inside QuickJS in two
// phases:
//
// 1. Once per isolate, into the engine snapshot (engine/snapshot.ts): this text is evaluated as a
//    script. It defines everything that does not depend on the request (console, process, timers,
//    the module loader...) and leaves one function, `start`, under START_KEY on globalThis.
// 2. In every run, on a byte-identical copy of that snapshot: the host reads `start` from the
//    global, and calls `start(host, configJson)`. `start` deletes itself from the global, binds
//    the bridge and the request's data, and returns `control` for the host to drive (run the
//    entry, run one macrotask, run nextTick callbacks, finish).
//
// - `host` holds the bridge functions the runtime installs (write, exit, clock, randomness, module
//   loading). It is a parameter, never a global: user code cannot reach it, and nothing of it is
//   left on globalThis.
// - `config` is plain data (argv, stdin, entry path, file contents for fs), passed as JSON.
//
// Everything not needed by most programs (util.inspect, events, fs, readline, Buffer, crypto, the
// rarer console methods) is a builtin module: compiled into the snapshot too, but initialised
// only in the runs that use it.
//
// Written as a string (not a function's toString) because the bundler rewrites function bodies
// (keepNames helpers), which would break them inside QuickJS. Rules for this text: no backticks,
// no "${" (it is a template literal), 'use strict' everywhere.

/** Global property that holds `start` between the snapshot and the run (deleted by `start`). */
export const START_KEY = "__edgeboxStart";
/** Global property that holds the table the host compiles the builtins into (deleted by `start`). */
export const BUILTINS_KEY = "__edgeboxBuiltins";

export const CORE_PRELUDE = String.raw`(function prepare() {
'use strict';
const G = globalThis;
const define = (target, name, value) => Object.defineProperty(target, name, { value, writable: true, configurable: true });
const ReflectApply = Reflect.apply;
const PromiseThen = Promise.prototype.then;
const PromiseResolve = Promise.resolve.bind(Promise);
const RealDate = Date;
const MathRandom = Math.random;
const JSONParse = JSON.parse;
// Bound by start(): the bridge and the request's data.
let host, config;
let hostWrite, hostExit, hostNow, hostResolve, hostCompile, hostBuiltin;

// ---- stopping: once the host has been told to stop it interrupts the VM at its next poll;
// spinning here reaches that poll within microseconds and cannot be caught by user code.
function halt() { for (;;) {} }
function writeFd(fd, text) { if (hostWrite(fd, text) !== 0) halt(); }

let nondeterministic = false;
function markNondeterministic() { if (!nondeterministic) { nondeterministic = true; host.nondeterministic(); } }
function clockRead() { markNondeterministic(); return hostNow(); }

// ---- builtins: compiled into the snapshot (the host fills compiledBuiltins), each initialised on
// first use in a run; 'internal' is how they reach the runtime
const internal = Object.create(null);
const compiledBuiltins = Object.create(null);
const builtinCache = Object.create(null);
function loadBuiltin(name) {
  const cached = builtinCache[name];
  if (cached !== undefined) return cached.exports;
  const module = { exports: {} };
  builtinCache[name] = module;
  const factory = compiledBuiltins[name];
  (factory !== undefined ? factory : hostBuiltin(name))(module, internal, loadBuiltin);
  return module.exports;
}
function lazyGlobal(name, load) {
  Object.defineProperty(G, name, {
    configurable: true,
    get() { const value = load(); define(G, name, value); return value; },
    set(value) { define(G, name, value); },
  });
}
const util = () => loadBuiltin('internal/inspect');
function exactBuffer(bytes) { return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength); }
Object.assign(internal, {
  halt, writeFd, markNondeterministic, clockRead, virtualNow: () => hostNow(), loadBuiltin,
  utf8Encode: (text) => host.utf8Encode(text),
  utf8Decode: (bytes) => host.utf8Decode(bytes.buffer, bytes.byteOffset, bytes.byteLength),
  digest: (kind, algorithm, key, data) => host.digest(kind, algorithm, key === null ? null : exactBuffer(key), exactBuffer(data)),
  randomBytes: (n) => { markNondeterministic(); return new Uint8Array(host.randomBytes(n)); },
  promiseState: (promise) => host.promiseState(promise),
  promiseResult: (promise) => host.promiseResult(promise),
  heapBytes: () => host.heapBytes(),
});

// ---- clock, randomness: Date and performance follow the virtual clock (docs/sandbox.md)
let startEpochMs = 0;
const SandboxDate = function Date(...args) {
  if (new.target === undefined) return new RealDate(startEpochMs + clockRead()).toString();
  return Reflect.construct(RealDate, args.length === 0 ? [startEpochMs + clockRead()] : args, new.target);
};
Object.defineProperty(SandboxDate, 'length', { value: 7 });
SandboxDate.prototype = RealDate.prototype;
define(RealDate.prototype, 'constructor', SandboxDate);
SandboxDate.now = function now() { return Math.floor(startEpochMs + clockRead()); };
SandboxDate.parse = RealDate.parse;
SandboxDate.UTC = RealDate.UTC;
define(G, 'Date', SandboxDate);
Math.random = function random() { markNondeterministic(); return MathRandom(); };
const performance = {
  timeOrigin: 0,
  now() { return clockRead(); },
  mark() {}, measure() {}, clearMarks() {}, clearMeasures() {},
  getEntries() { return []; }, getEntriesByName() { return []; }, getEntriesByType() { return []; },
  toJSON() { return { timeOrigin: startEpochMs }; },
};
internal.performance = performance;
define(G, 'performance', performance);
lazyGlobal('crypto', () => loadBuiltin('crypto').webcrypto);

// ---- process (its EventEmitter part is created on first use)
let exitCode;
let exiting = false;
let emitter;
const events = () => emitter || (emitter = new (loadBuiltin('events'))());
const listenerCount = (name) => (emitter ? emitter.listenerCount(name) : 0);
function normalizedExitCode() {
  if (exitCode === undefined || exitCode === null) return 0;
  const n = Number(exitCode);
  return Number.isFinite(n) ? ((Math.trunc(n) % 256) + 256) % 256 : 1;
}
function exit(code) {
  if (code !== undefined && code !== null) exitCode = code;
  if (!exiting) {
    exiting = true;
    if (listenerCount('exit') > 0) { try { emitter.emit('exit', normalizedExitCode()); } catch (e) { /* as Node: exit anyway */ } }
  }
  hostExit(normalizedExitCode());
  halt();
}
function writable(fd) {
  return {
    fd, isTTY: false, writable: true, columns: 80,
    write(chunk, encoding, callback) {
      if (typeof chunk === 'string') writeFd(fd, chunk);
      else if (chunk instanceof Uint8Array) writeFd(fd, internal.utf8Decode(chunk));
      else throw new TypeError('The "chunk" argument must be of type string or an instance of Buffer or Uint8Array. Received ' + util().describeType(chunk));
      const cb = typeof encoding === 'function' ? encoding : callback;
      if (typeof cb === 'function') enqueueTick(cb);
      return true;
    },
    end(chunk, encoding, callback) { if (chunk !== undefined && chunk !== null && typeof chunk !== 'function') this.write(chunk, encoding); return this; },
    on() { return this; }, once() { return this; }, off() { return this; }, removeListener() { return this; }, emit() { return false; },
    cork() {}, uncork() {}, getColorDepth() { return 1; }, hasColors() { return false; },
  };
}
function hrtime(previous) {
  const now = clockRead();
  let seconds = Math.floor(now / 1000);
  let nanos = Math.floor((now % 1000) * 1e6);
  if (previous) { seconds -= previous[0]; nanos -= previous[1]; if (nanos < 0) { seconds -= 1; nanos += 1e9; } }
  return [seconds, nanos];
}
hrtime.bigint = () => BigInt(Math.floor(clockRead() * 1e6));
const process = {
  title: 'node', version: '', versions: {}, arch: '', platform: 'linux',
  release: { name: 'node' }, argv: [], argv0: 'node', execArgv: [], execPath: '/usr/local/bin/node',
  pid: 1, ppid: 0, env: {}, config: { variables: {} }, features: {},
  exit, abort() { exit(134); },
  cwd() { return config.cwd; },
  chdir() { throw new Error('process.chdir() is not supported in the sandbox'); },
  umask() { return 0o22; },
  uptime() { return clockRead() / 1000; },
  hrtime,
  memoryUsage() { const heap = host.heapBytes(); return { rss: heap, heapTotal: heap, heapUsed: heap, external: 0, arrayBuffers: 0 }; },
  cpuUsage() { return { user: Math.round(clockRead() * 1000), system: 0 }; },
  nextTick(callback, ...args) {
    if (typeof callback !== 'function') throw new TypeError('The "callback" argument must be of type function. Received ' + util().describeType(callback));
    enqueueTick(args.length === 0 ? callback : () => ReflectApply(callback, undefined, args));
  },
  emitWarning(warning, type) {
    const name = typeof type === 'string' ? type : (warning && warning.name) || 'Warning';
    writeFd(2, '(node:1) ' + name + ': ' + (warning instanceof Error ? warning.message : String(warning)) + '\n');
  },
  kill() { throw new Error('process.kill() is not supported in the sandbox'); },
  stdout: writable(1),
  stderr: writable(2),
};
process.memoryUsage.rss = () => host.heapBytes();
for (const name of ['on', 'addListener', 'once', 'prependListener', 'prependOnceListener', 'off', 'removeListener', 'removeAllListeners', 'setMaxListeners']) {
  process[name] = function (...args) { events()[name](...args); return process; };
}
for (const name of ['emit', 'listeners', 'rawListeners', 'eventNames', 'getMaxListeners']) {
  process[name] = function (...args) { return events()[name](...args); };
}
process.listenerCount = listenerCount;
Object.defineProperty(process, 'exitCode', { get() { return exitCode; }, set(value) { exitCode = value; }, enumerable: true });
Object.defineProperty(process, Symbol.toStringTag, { value: 'process' });
Object.defineProperty(process, 'stdin', {
  configurable: true, enumerable: true,
  get() { const stdin = loadBuiltin('internal/stdin').stream; define(process, 'stdin', stdin); return stdin; },
});
define(G, 'process', process);
Object.assign(internal, { process, exit });

// ---- console: the common methods here, the rest (table, dir, time...) in a builtin
let groupIndent = '';
function formatArgs(args) {
  let out = '';
  for (let i = 0; i < args.length; i++) {
    const value = args[i];
    const type = typeof value;
    let piece;
    if (type === 'string') {
      if (i === 0 && args.length > 1 && value.indexOf('%') !== -1) return util().format(...args);
      piece = value;
    } else if (type === 'number') piece = value === 0 && 1 / value < 0 ? '-0' : '' + value;
    else if (type === 'boolean' || value === undefined || value === null) piece = '' + value;
    else if (type === 'bigint') piece = value + 'n';
    else return util().format(...args);
    out += i === 0 ? piece : ' ' + piece;
  }
  return out;
}
function emitLine(fd, text) {
  if (groupIndent !== '') text = groupIndent + text.split('\n').join('\n' + groupIndent);
  writeFd(fd, text + '\n');
}
const console = {
  log(...args) { emitLine(1, formatArgs(args)); },
  info(...args) { emitLine(1, formatArgs(args)); },
  debug(...args) { emitLine(1, formatArgs(args)); },
  warn(...args) { emitLine(2, formatArgs(args)); },
  error(...args) { emitLine(2, formatArgs(args)); },
  group(...labels) { if (labels.length) emitLine(1, formatArgs(labels)); groupIndent += '  '; },
  groupEnd() { groupIndent = groupIndent.slice(0, -2); },
};
console.groupCollapsed = console.group;
for (const name of ['trace', 'dir', 'dirxml', 'table', 'assert', 'count', 'countReset', 'time', 'timeEnd', 'timeLog', 'clear', 'profile', 'profileEnd', 'timeStamp']) {
  console[name] = function (...args) { return loadBuiltin('internal/console')[name](...args); };
}
define(G, 'console', console);
Object.assign(internal, { console, formatArgs, emitLine });
define(G, 'print', function print(...args) { emitLine(1, args.map((a) => String(a)).join(' ')); });

// ---- stdin, one cursor shared by readline(), fs.readFileSync(0), process.stdin and 'readline'
function readLine() {
  const state = internal.stdin;
  if (state.offset >= state.text.length) return null;
  let end = state.text.indexOf('\n', state.offset);
  if (end === -1) end = state.text.length;
  let line = state.text.slice(state.offset, end);
  state.offset = end + 1;
  if (line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);
  return line;
}
define(G, 'readline', function readline() { return readLine(); });

// ---- errors nobody caught, reported like Node
let reporting = false;
function fatal(error, origin) {
  if (exiting) halt();
  if (listenerCount('uncaughtException') > 0 && !reporting) {
    reporting = true;
    try { emitter.emit('uncaughtException', error, origin || 'uncaughtException'); return; }
    catch (again) { error = again; }
    finally { reporting = false; }
  }
  let text;
  try { text = (error instanceof UnhandledPromiseRejection ? UNHANDLED_REJECTION_HEADER : '') + util().formatUncaught(error); }
  catch (e) { try { text = 'Uncaught ' + String(error) + '\n'; } catch (e2) { text = 'Uncaught exception\n'; } }
  writeFd(2, text);
  exit(1);
}
internal.fatal = fatal;

// ---- promises rejected with no handler (Node's default --unhandled-rejections=throw). The host
// reports them from the engine's rejection tracker; a rejection that gets a handler before the
// check is forgotten. The check runs when the nextTick and microtask queues are empty, before the
// next macrotask: 'unhandledRejection' listeners get (reason, promise); without one the reason (or,
// if it is not error-like, an UnhandledPromiseRejection) is thrown as an uncaught exception.
class UnhandledPromiseRejection extends Error {
  constructor(reason) {
    super('This error originated either by throwing inside of an async function without a catch block, or by rejecting a promise which was not handled with .catch(). The promise rejected with the reason "' + noSideEffectsToString(reason) + '".');
    this.code = 'ERR_UNHANDLED_REJECTION';
    define(this, 'stack', this.name + ': ' + this.message + '\n    at throwUnhandledRejectionsMode (node:internal/process/promises:392:7)\n    at processPromiseRejections (node:internal/process/promises:475:17)\n    at process.processTicksAndRejections (node:internal/process/task_queues:104:32)');
  }
}
define(UnhandledPromiseRejection.prototype, 'name', 'UnhandledPromiseRejection');
const UNHANDLED_REJECTION_HEADER = 'node:internal/process/promises:392\n      new UnhandledPromiseRejection(reason);\n      ^\n\n';
const ObjectToString = Object.prototype.toString;
const FunctionToString = Function.prototype.toString;
const SymbolToString = Symbol.prototype.toString;
const ErrorToString = Error.prototype.toString;
const ErrorCtor = Error;
const { getPrototypeOf, getOwnPropertyDescriptor } = Object;
const hasOwn = Object.prototype.hasOwnProperty;
// V8's NoSideEffectsToString, which Node uses for the reason in that message.
function noSideEffectsToString(value) {
  if (typeof value === 'function') return ReflectApply(FunctionToString, value, []);
  if (typeof value === 'symbol') return ReflectApply(SymbolToString, value, []);
  if (typeof value !== 'object' || value === null) return String(value);
  if (value instanceof ErrorCtor) return ReflectApply(ErrorToString, value, []);
  let toString;
  for (let o = value; o !== null && toString === undefined; o = getPrototypeOf(o)) {
    const d = getOwnPropertyDescriptor(o, 'toString');
    if (d) toString = 'value' in d ? d.value : null;
  }
  if (toString === ObjectToString) {
    const proto = getPrototypeOf(value);
    const d = proto === null ? undefined : getOwnPropertyDescriptor(proto, 'constructor');
    const name = d && typeof d.value === 'function' && typeof d.value.name === 'string' && d.value.name !== '' ? d.value.name : 'Object';
    return '#<' + name + '>';
  }
  return '[object ' + ReflectApply(ObjectToString, value, []).slice(8, -1) + ']';
}
function isErrorLike(value) {
  return typeof value === 'object' && value !== null && ReflectApply(hasOwn, value, ['stack']);
}
function processRejections(list) {
  for (let i = 0; i + 1 < list.length; i += 2) {
    const promise = list[i];
    const reason = list[i + 1];
    try {
      if (listenerCount('unhandledRejection') > 0) emitter.emit('unhandledRejection', reason, promise);
      else fatal(isErrorLike(reason) ? reason : new UnhandledPromiseRejection(reason), 'unhandledRejection');
    } catch (error) {
      fatal(error);
    }
  }
  runTicks();
}

// ---- microtasks and macrotasks: timers on the virtual clock, immediates, I/O (stdin delivery)
function enqueueMicrotask(callback) {
  ReflectApply(PromiseThen, PromiseResolve(), [() => { try { callback(); } catch (error) { fatal(error); } }]);
}
function queueMicrotask(callback) {
  if (typeof callback !== 'function') throw new TypeError('The "callback" argument must be of type function');
  enqueueMicrotask(callback);
}
define(G, 'queueMicrotask', queueMicrotask);
internal.enqueueMicrotask = enqueueMicrotask;

// process.nextTick callbacks, as in Node: after the current operation (the main module, one
// macrotask, a batch of microtasks) and before the promise microtasks it queued. A CommonJS entry
// runs its ticks before the first microtask drain; an ES module entry (Node evaluates it inside
// promise jobs) after it. Ticks queued by microtasks run once the microtask queue is empty.
const tickQueue = [];
let tickHead = 0;
function enqueueTick(callback) { tickQueue.push(callback); }
function runTicks() {
  while (tickHead < tickQueue.length) {
    const callback = tickQueue[tickHead];
    tickQueue[tickHead++] = undefined;
    try { callback(); } catch (error) { fatal(error); }
  }
  tickQueue.length = 0;
  tickHead = 0;
}
internal.enqueueTick = enqueueTick;

let timerSeq = 0;
const timerQueue = []; // sorted by (due, seq)
const immediateQueue = [];
const ioQueue = [];
let refedTimers = 0;
class Timeout {
  constructor(callback, delay, args, repeat) {
    delay = Number(delay);
    if (!(delay >= 1 && delay <= 2147483647)) delay = 1;
    Object.assign(this, { _callback: callback, _args: args, _delay: delay, _repeat: repeat, _id: ++timerSeq, _ref: true, _active: false });
    this._schedule(hostNow());
  }
  _schedule(from) {
    this._due = from + this._delay; this._seq = ++timerSeq; this._active = true;
    let i = timerQueue.length;
    while (i > 0 && (timerQueue[i - 1]._due > this._due || (timerQueue[i - 1]._due === this._due && timerQueue[i - 1]._seq > this._seq))) i--;
    timerQueue.splice(i, 0, this);
    if (this._ref) refedTimers++;
  }
  _cancel() {
    if (!this._active) return;
    timerQueue.splice(timerQueue.indexOf(this), 1);
    this._active = false;
    if (this._ref) refedTimers--;
  }
  ref() { if (!this._ref) { this._ref = true; if (this._active) refedTimers++; } return this; }
  unref() { if (this._ref) { this._ref = false; if (this._active) refedTimers--; } return this; }
  hasRef() { return this._ref; }
  refresh() { if (this._active) { this._cancel(); this._schedule(hostNow()); } return this; }
  close() { this._cancel(); return this; }
  [Symbol.toPrimitive]() { return this._id; }
}
const timersById = new Map();
function checkCallback(callback) {
  if (typeof callback !== 'function') throw new TypeError('The "callback" argument must be of type function. Received ' + util().describeType(callback));
}
function setTimeout(callback, delay, ...args) { checkCallback(callback); const t = new Timeout(callback, delay, args, false); timersById.set(t._id, t); return t; }
function setInterval(callback, delay, ...args) { checkCallback(callback); const t = new Timeout(callback, delay, args, true); timersById.set(t._id, t); return t; }
function clearTimeout(timer) {
  const found = timer instanceof Timeout ? timer : timersById.get(Number(timer));
  if (found) { found._cancel(); timersById.delete(found._id); }
}
class Immediate {
  constructor(callback, args) { this._callback = callback; this._args = args; this._ref = true; }
  ref() { this._ref = true; return this; }
  unref() { this._ref = false; return this; }
  hasRef() { return this._ref; }
}
function setImmediate(callback, ...args) { checkCallback(callback); const i = new Immediate(callback, args); immediateQueue.push(i); return i; }
function clearImmediate(immediate) { const i = immediateQueue.indexOf(immediate); if (i !== -1) immediateQueue.splice(i, 1); }
internal.timers = { setTimeout, setInterval, clearTimeout, clearInterval: clearTimeout, setImmediate, clearImmediate };
for (const name of Object.keys(internal.timers)) define(G, name, internal.timers[name]);
internal.enqueueIo = (callback) => { ioQueue.push(callback); };

function runCallback(callback, thisArg, args) {
  try { ReflectApply(callback, thisArg, args); } catch (error) { fatal(error); }
  runTicks();
}
// One macrotask per call, so the host drains microtasks in between (as Node does between timer
// callbacks). Returns 0 after running something, -1 when nothing keeps the process alive, or the
// milliseconds until the next timer is due. nextTick callbacks queued by microtasks come first,
// then the check of unhandled rejections (rejections: how many the host holds).
let lastDue = -1;
let lastDelay = -1;
function tick(now, rejections) {
  if (tickHead < tickQueue.length) { runTicks(); return 0; }
  if (rejections > 0) { processRejections(host.takeRejections()); return 0; }
  if (ioQueue.length > 0) { runCallback(ioQueue.shift(), undefined, []); return 0; }
  if (timerQueue.length > 0 && timerQueue[0]._due <= now) {
    const timer = timerQueue.shift();
    timer._active = false;
    if (timer._ref) refedTimers--;
    // Timers created with different delays falling due at the same instant: in Node their order
    // depends on exact timing. Deterministic here, but flagged.
    if (timer._due === lastDue && timer._delay !== lastDelay) markNondeterministic();
    lastDue = timer._due;
    lastDelay = timer._delay;
    if (timer._repeat) timer._schedule(Math.max(now, timer._due));
    else timersById.delete(timer._id);
    runCallback(timer._callback, timer, timer._args);
    return 0;
  }
  if (immediateQueue.length > 0) { const i = immediateQueue.shift(); runCallback(i._callback, i, i._args); return 0; }
  if (refedTimers > 0) { for (const t of timerQueue) if (t._ref) return Math.max(t._due - now, 0.001); }
  return -1;
}

// ---- modules: CommonJS (ES modules arrive here already transformed to CommonJS)
const moduleCache = Object.create(null);
let mainModule;
function dirnameOf(path) { const i = path.lastIndexOf('/'); return i <= 0 ? '/' : path.slice(0, i); }
function resolveFrom(specifier, fromPath) {
  if (typeof specifier !== 'string') throw new TypeError('The "id" argument must be of type string. Received ' + util().describeType(specifier));
  if (specifier === '') throw new TypeError("The argument 'id' must be a non-empty string. Received ''");
  const resolution = hostResolve(specifier, fromPath);
  const colon = resolution.indexOf(':');
  const kind = resolution.slice(0, colon);
  const value = resolution.slice(colon + 1);
  if (kind === 'file') return { path: value };
  if (kind === 'builtin') return { builtin: value };
  const error = new Error("Cannot find module '" + specifier + "'" + (kind === 'unavailable' ? ": the '" + value + "' module is not available in the sandbox" : '') + '\nRequire stack:\n- ' + fromPath);
  error.code = 'MODULE_NOT_FOUND';
  error.requireStack = [fromPath];
  throw error;
}
function requireBuiltin(name) {
  if (name === 'process') return process;
  if (name === 'console') return console;
  return loadBuiltin(name);
}
function makeRequire(module) {
  function require(specifier) {
    const target = resolveFrom(specifier, module.filename);
    return target.builtin !== undefined ? requireBuiltin(target.builtin) : loadModule(target.path, module).exports;
  }
  require.resolve = function resolve(specifier) { const t = resolveFrom(specifier, module.filename); return t.builtin !== undefined ? specifier : t.path; };
  require.resolve.paths = () => [];
  require.cache = moduleCache;
  require.main = mainModule;
  require.extensions = Object.create(null);
  return require;
}
internal.requireFrom = (specifier, fromPath) => makeRequire({ filename: fromPath })(specifier);
function loadModule(path, parent) {
  const cached = moduleCache[path];
  if (cached !== undefined) { if (parent && parent.children.indexOf(cached) === -1) parent.children.push(cached); return cached; }
  const module = { id: parent ? path : '.', path: dirnameOf(path), exports: {}, filename: path, loaded: false, children: [], paths: [], parent: parent || null };
  moduleCache[path] = module;
  if (parent) parent.children.push(module);
  else { mainModule = module; process.mainModule = module; }
  module.require = makeRequire(module);
  try {
    if (path.endsWith('.json')) {
      try { module.exports = JSON.parse(config.files[path]); }
      catch (error) { error.message = path + ': ' + error.message; throw error; }
    } else {
      const compiled = hostCompile(path);
      if (typeof compiled !== 'function') throw compiled;
      const result = ReflectApply(compiled, module.exports, [module.exports, module.require, module, path, module.path]);
      if (!parent && result && typeof result.then === 'function') module.completion = result;
    }
  } catch (error) {
    delete moduleCache[path];
    throw error;
  }
  module.loaded = true;
  return module;
}
lazyGlobal('require', () => makeRequire({ filename: config.cwd + '/[eval]', children: [] }));

// ---- the entry, then the host drives the loop
let entryState = 'pending';
function main() {
  let module;
  try {
    module = loadModule(config.entry, null);
    // setTimeout(f, 0) vs setImmediate(g) from the main module: their order is a race in Node.
    if (immediateQueue.length > 0 && timerQueue.length > 0 && timerQueue[0]._due <= hostNow() + 1) markNondeterministic();
    if (module.completion) {
      ReflectApply(PromiseThen, module.completion, [() => { entryState = 'done'; }, (error) => { entryState = 'done'; fatal(error); }]);
    } else entryState = 'done';
  } catch (error) {
    entryState = 'done';
    fatal(error);
  }
  // An ES module entry (module syntax, or top-level await) lets the microtasks run first.
  if (!config.entryIsModule && !(module && module.completion)) runTicks();
}
// Called when nothing is left to run. Returns true if 'beforeExit' listeners scheduled more work.
let beforeExitEmitted = false;
function finish() {
  if (entryState === 'pending') {
    writeFd(2, 'Warning: Detected unsettled top-level await at ' + config.entry + '\n');
    exit(13);
  }
  if (!beforeExitEmitted && listenerCount('beforeExit') > 0) {
    beforeExitEmitted = true;
    try { emitter.emit('beforeExit', normalizedExitCode()); } catch (error) { fatal(error); }
    runTicks();
    return true;
  }
  exit(undefined);
  return false;
}

define(G, 'global', G);
lazyGlobal('Buffer', () => loadBuiltin('buffer').Buffer);
lazyGlobal('TextEncoder', () => loadBuiltin('buffer').TextEncoder);
lazyGlobal('TextDecoder', () => loadBuiltin('buffer').TextDecoder);
lazyGlobal('atob', () => loadBuiltin('buffer').atob);
lazyGlobal('btoa', () => loadBuiltin('buffer').btoa);
lazyGlobal('structuredClone', () => loadBuiltin('internal/clone'));
// The engine's default sort converts elements to strings inside one native call that never polls
// for interrupts (seconds for a large array, invisible to the CPU budget); the same comparison as a
// JS comparator is metered like any other code.
const ArraySort = Array.prototype.sort;
const sortKey = (v) => { if (typeof v === 'symbol') throw new TypeError('Cannot convert a Symbol value to a string'); return String(v); };
const defaultCompare = (a, b) => { const x = sortKey(a); const y = sortKey(b); return x < y ? -1 : x > y ? 1 : 0; };
define(Array.prototype, 'sort', { sort(compare) { return ReflectApply(ArraySort, this, [compare === undefined ? defaultCompare : compare]); } }.sort);
Error.stackTraceLimit = 10;
// QuickJS reports deep recursion as InternalError('stack overflow'); make it catchable as the
// RangeError Node programs test for.
Object.setPrototypeOf(InternalError.prototype, RangeError.prototype);

// ---- phase 2: the run
function start(bridge, configJson) {
  delete G.__edgeboxStart;
  delete G.__edgeboxBuiltins;
  host = bridge;
  config = JSONParse(configJson);
  ({ write: hostWrite, exit: hostExit, now: hostNow, resolve: hostResolve, compile: hostCompile, builtin: hostBuiltin } = host);
  internal.config = config;
  internal.stdin = { text: config.stdin, offset: 0 };
  startEpochMs = config.startEpochMs;
  performance.timeOrigin = startEpochMs;
  process.version = config.nodeVersion;
  process.versions = config.versions;
  process.arch = config.arch;
  process.argv = config.argv.slice();
  process.env = Object.assign({}, config.env);
  return { main, tick, finish };
}
Object.defineProperty(G, '__edgeboxStart', { value: start, configurable: true, writable: false, enumerable: false });
Object.defineProperty(G, '__edgeboxBuiltins', { value: compiledBuiltins, configurable: true, writable: false, enumerable: false });
})();`;
