// The part of the Node-like environment that is set up in every run, evaluated inside QuickJS as
// one function expression: `(function bootstrap(host, config) { ... return control; })`.
//
// - `host` holds the bridge functions the runtime installs (write, exit, clock, randomness, module
//   loading). It is a parameter, never a global: user code cannot reach it, and nothing of it is
//   left on globalThis.
// - `config` is plain data (argv, stdin, entry path, file contents for fs).
// - The returned `control` object is what the host drives: run the entry, run one macrotask,
//   finish (emit 'exit').
//
// Everything heavy (util.inspect, fs, readline, assert, Buffer...) lives in builtin modules that
// are compiled on first use (see ./builtins), so a `console.log(1)` run only parses this file.
//
// Written as a string (not a function's toString) because the bundler rewrites function bodies
// (keepNames helpers), which would break them inside QuickJS. Rules for this text: no backticks,
// no "${" (it is a template literal), 'use strict' everywhere.
export const CORE_PRELUDE = String.raw`(function bootstrap(host, config) {
'use strict';
const G = globalThis;
const ObjectDefineProperty = Object.defineProperty;
const ObjectCreate = Object.create;
const ObjectKeys = Object.keys;
const ObjectFreeze = Object.freeze;
const ArrayIsArray = Array.isArray;
const ReflectApply = Reflect.apply;
const StringCtor = String;
const NumberCtor = Number;
const JSONParse = JSON.parse;
const PromiseCtor = Promise;
const PromiseResolve = Promise.resolve.bind(Promise);
const PromiseThen = Promise.prototype.then;
const ErrorCtor = Error;
const TypeErrorCtor = TypeError;
const RealDate = Date;
const MathRandom = Math.random;
const hostWrite = host.write;
const hostExit = host.exit;
const hostNow = host.now;
const hostMarkNondeterministic = host.nondeterministic;
const hostRandomBytes = host.randomBytes;
const hostResolve = host.resolve;
const hostCompile = host.compile;
const hostBuiltin = host.builtin;
const hostHeapBytes = host.heapBytes;
const hostUtf8Encode = host.utf8Encode;
const hostUtf8Decode = host.utf8Decode;
const hostDigest = host.digest;

// ---- stopping: the host interrupts the VM on its next poll once it has been told to stop; spinning
// here reaches that poll within microseconds and cannot be caught by user code.
function halt() { for (;;) {} }

let exiting = false;
function writeFd(fd, text) {
  if (hostWrite(fd, text) !== 0) halt();
}

let nondeterministic = false;
function markNondeterministic() {
  if (!nondeterministic) { nondeterministic = true; hostMarkNondeterministic(); }
}

// ---- builtin modules, compiled on first use
const builtinCache = ObjectCreate(null);
const internal = ObjectCreate(null);
function loadBuiltin(name) {
  const cached = builtinCache[name];
  if (cached !== undefined) return cached.exports;
  const module = { exports: {} };
  builtinCache[name] = module;
  const factory = hostBuiltin(name);
  factory(module, internal, loadBuiltin);
  return module.exports;
}
function lazyGlobal(name, load) {
  ObjectDefineProperty(G, name, {
    configurable: true, enumerable: false,
    get() { const value = load(); ObjectDefineProperty(G, name, { value, writable: true, configurable: true, enumerable: false }); return value; },
    set(value) { ObjectDefineProperty(G, name, { value, writable: true, configurable: true, enumerable: false }); },
  });
}
function util() { return loadBuiltin('util'); }
function exactBuffer(bytes) { return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength); }
internal.utf8Encode = (text) => hostUtf8Encode(text);
internal.utf8Decode = (bytes) => hostUtf8Decode(bytes.buffer, bytes.byteOffset, bytes.byteLength);
internal.digest = (kind, algorithm, key, data) => hostDigest(kind, algorithm, key === null ? null : exactBuffer(key), exactBuffer(data));
internal.promiseState = host.promiseState;
internal.promiseResult = host.promiseResult;
internal.heapBytes = () => hostHeapBytes();

// ---- a compact EventEmitter (the 'events' module re-exports it). A plain constructor function so
// old-style subclasses (EventEmitter.call(this) + util.inherits) work.
const kEvents = Symbol('events');
function eventsOf(emitter) {
  let events = emitter[kEvents];
  if (events === undefined) { events = ObjectCreate(null); ObjectDefineProperty(emitter, kEvents, { value: events, writable: true, configurable: true }); }
  return events;
}
function onceWrapper(emitter, name, listener) {
  function wrapper(...args) { emitter.removeListener(name, wrapper); return ReflectApply(listener, emitter, args); }
  wrapper.listener = listener;
  return wrapper;
}
function EventEmitter() { eventsOf(this); }
Object.assign(EventEmitter.prototype, {
  on(name, listener) {
    if (typeof listener !== 'function') throw new TypeErrorCtor('The "listener" argument must be of type function');
    const events = eventsOf(this);
    if (events.newListener !== undefined) this.emit('newListener', name, listener.listener || listener);
    (events[name] || (events[name] = [])).push(listener);
    return this;
  },
  prependListener(name, listener) { this.on(name, listener); const list = eventsOf(this)[name]; list.unshift(list.pop()); return this; },
  once(name, listener) { return this.on(name, onceWrapper(this, name, listener)); },
  prependOnceListener(name, listener) { return this.prependListener(name, onceWrapper(this, name, listener)); },
  off(name, listener) {
    const events = eventsOf(this);
    const list = events[name];
    if (!list) return this;
    for (let i = list.length - 1; i >= 0; i--) {
      if (list[i] === listener || list[i].listener === listener) { list.splice(i, 1); break; }
    }
    if (list.length === 0) delete events[name];
    return this;
  },
  removeAllListeners(name) { const events = eventsOf(this); if (name === undefined) { for (const key of Reflect.ownKeys(events)) delete events[key]; } else delete events[name]; return this; },
  emit(name, ...args) {
    const list = eventsOf(this)[name];
    if (!list || list.length === 0) {
      if (name === 'error') { const err = args[0]; throw err instanceof ErrorCtor ? err : new ErrorCtor('Unhandled error. (' + safeString(err) + ')'); }
      return false;
    }
    for (const listener of list.slice()) ReflectApply(listener, this, args);
    return true;
  },
  listeners(name) { return (eventsOf(this)[name] || []).map((l) => l.listener || l); },
  rawListeners(name) { return (eventsOf(this)[name] || []).slice(); },
  listenerCount(name) { const list = eventsOf(this)[name]; return list ? list.length : 0; },
  eventNames() { return Reflect.ownKeys(eventsOf(this)); },
  setMaxListeners() { return this; },
  getMaxListeners() { return 10; },
});
EventEmitter.prototype.addListener = EventEmitter.prototype.on;
EventEmitter.prototype.removeListener = EventEmitter.prototype.off;
EventEmitter.EventEmitter = EventEmitter;
EventEmitter.defaultMaxListeners = 10;
EventEmitter.errorMonitor = Symbol('events.errorMonitor');
EventEmitter.once = function once(emitter, name) {
  return new PromiseCtor((resolve, reject) => {
    const onError = (error) => { emitter.removeListener(name, onEvent); reject(error); };
    const onEvent = (...args) => { if (name !== 'error') emitter.removeListener('error', onError); resolve(args); };
    emitter.once(name, onEvent);
    if (name !== 'error') emitter.once('error', onError);
  });
};
EventEmitter.listenerCount = function listenerCount(emitter, name) { return emitter.listenerCount(name); };
internal.EventEmitter = EventEmitter;

// ---- clock: virtual milliseconds since the run started (the host adds skipped timer waits to the
// estimated CPU time; see docs/sandbox.md)
const startEpochMs = config.startEpochMs;
function virtualNow() { return hostNow(); }
function clockRead() { markNondeterministic(); return hostNow(); }
internal.virtualNow = virtualNow;
internal.clockRead = clockRead;
internal.markNondeterministic = markNondeterministic;

function SandboxDate(...args) {
  if (new.target === undefined) { return new RealDate(startEpochMs + clockRead()).toString(); }
  if (args.length === 0) return Reflect.construct(RealDate, [startEpochMs + clockRead()], new.target);
  return Reflect.construct(RealDate, args, new.target);
}
ObjectDefineProperty(SandboxDate, 'name', { value: 'Date' });
ObjectDefineProperty(SandboxDate, 'length', { value: 7 });
SandboxDate.prototype = RealDate.prototype;
ObjectDefineProperty(RealDate.prototype, 'constructor', { value: SandboxDate, writable: true, configurable: true });
SandboxDate.now = function now() { return Math.floor(startEpochMs + clockRead()); };
SandboxDate.parse = RealDate.parse;
SandboxDate.UTC = RealDate.UTC;
ObjectDefineProperty(G, 'Date', { value: SandboxDate, writable: true, configurable: true });

Math.random = function random() { markNondeterministic(); return MathRandom(); };

function getRandomValues(array) {
  if (!ArrayBuffer.isView(array) || array instanceof Float32Array || array instanceof Float64Array || array instanceof DataView) {
    throw new TypeErrorCtor('The data argument must be an integer-type TypedArray');
  }
  if (array.byteLength > 65536) throw new RangeError('The ArrayBufferView\'s byte length (' + array.byteLength + ') exceeds the number of bytes of entropy available via this API (65536)');
  markNondeterministic();
  const bytes = new Uint8Array(hostRandomBytes(array.byteLength));
  new Uint8Array(array.buffer, array.byteOffset, array.byteLength).set(bytes);
  return array;
}
function randomUUID() {
  const b = getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
  let hex = '';
  for (let i = 0; i < 16; i++) { hex += (b[i] < 16 ? '0' : '') + b[i].toString(16); if (i === 3 || i === 5 || i === 7 || i === 9) hex += '-'; }
  return hex;
}
internal.getRandomValues = getRandomValues;
internal.randomUUID = randomUUID;
internal.randomBytes = function (n) { markNondeterministic(); return new Uint8Array(hostRandomBytes(n)); };
ObjectDefineProperty(G, 'crypto', { value: { getRandomValues, randomUUID }, writable: true, configurable: true });

const performance = {
  timeOrigin: startEpochMs,
  now() { return clockRead(); },
  mark() {}, measure() {}, clearMarks() {}, clearMeasures() {},
  getEntries() { return []; }, getEntriesByName() { return []; }, getEntriesByType() { return []; },
  toJSON() { return { timeOrigin: startEpochMs }; },
};
ObjectDefineProperty(G, 'performance', { value: performance, writable: true, configurable: true });
internal.performance = performance;

// ---- fatal errors, Node style
let uncaughtDepth = 0;
function fatal(error) {
  if (exiting) halt();
  if (process.listenerCount('uncaughtException') > 0 && uncaughtDepth === 0) {
    uncaughtDepth++;
    try { process.emit('uncaughtException', error, 'uncaughtException'); return; }
    catch (again) { error = again; }
    finally { uncaughtDepth--; }
  }
  let text;
  try { text = util().formatUncaught(error); }
  catch (formatError) { text = 'Uncaught ' + safeString(error) + '\n'; }
  writeFd(2, text);
  exit(1);
}
function safeString(value) { try { return StringCtor(value); } catch (e) { return '[object]'; } }
internal.fatal = fatal;

// ---- process
const process = new EventEmitter();
let exitCode;
function exit(code) {
  if (code !== undefined && code !== null) exitCode = code;
  if (!exiting) {
    exiting = true;
    try { process.emit('exit', normalizedExitCode()); } catch (e) { /* Node ignores throws from exit listeners after reporting; keep it simple */ }
  }
  hostExit(normalizedExitCode());
  halt();
}
function normalizedExitCode() {
  if (exitCode === undefined || exitCode === null) return 0;
  const n = NumberCtor(exitCode);
  return NumberCtor.isFinite(n) ? ((Math.trunc(n) % 256) + 256) % 256 : 1;
}
function makeWritable(fd) {
  const stream = new EventEmitter();
  stream.fd = fd;
  stream.isTTY = false;
  stream.writable = true;
  stream.columns = 80;
  stream.write = function write(chunk, encoding, callback) {
    if (typeof encoding === 'function') { callback = encoding; encoding = undefined; }
    if (typeof chunk === 'string') writeFd(fd, chunk);
    else if (chunk instanceof Uint8Array) writeFd(fd, loadBuiltin('buffer').Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString(typeof encoding === 'string' ? encoding : 'utf8'));
    else throw new TypeErrorCtor('The "chunk" argument must be of type string or an instance of Buffer or Uint8Array. Received ' + util().describeType(chunk));
    if (typeof callback === 'function') queueMicrotask(callback);
    return true;
  };
  stream.end = function end(chunk, encoding, callback) { if (chunk !== undefined && chunk !== null && typeof chunk !== 'function') stream.write(chunk, encoding); if (typeof chunk === 'function') callback = chunk; if (typeof callback === 'function') queueMicrotask(callback); return stream; };
  stream.cork = function () {}; stream.uncork = function () {};
  stream.getColorDepth = function () { return 1; };
  stream.hasColors = function () { return false; };
  return stream;
}
const hrtimeBase = 0;
function hrtime(previous) {
  const now = clockRead();
  let seconds = Math.floor(now / 1000);
  let nanos = Math.floor((now % 1000) * 1e6);
  if (previous) {
    seconds -= previous[0]; nanos -= previous[1];
    if (nanos < 0) { seconds -= 1; nanos += 1e9; }
  }
  return [seconds, nanos];
}
hrtime.bigint = function bigint() { return BigInt(Math.floor(clockRead() * 1e6)) + BigInt(hrtimeBase); };
const env = ObjectCreate(null);
for (const key of ObjectKeys(config.env)) env[key] = config.env[key];
Object.assign(process, {
  title: 'node',
  version: config.nodeVersion,
  versions: config.versions,
  arch: config.arch,
  platform: 'linux',
  release: { name: 'node' },
  argv: config.argv.slice(),
  argv0: 'node',
  execArgv: [],
  execPath: '/usr/local/bin/node',
  pid: 1,
  ppid: 0,
  env,
  config: { variables: {} },
  features: {},
  exit,
  abort() { exit(134); },
  cwd() { return config.cwd; },
  chdir() { throw new ErrorCtor('process.chdir() is not supported in the sandbox'); },
  umask() { return 0o22; },
  uptime() { return clockRead() / 1000; },
  hrtime,
  memoryUsage: Object.assign(function memoryUsage() {
    const heap = hostHeapBytes();
    return { rss: heap, heapTotal: heap, heapUsed: heap, external: 0, arrayBuffers: 0 };
  }, { rss() { return hostHeapBytes(); } }),
  cpuUsage() { const us = Math.round(clockRead() * 1000); return { user: us, system: 0 }; },
  resourceUsage() { return {}; },
  nextTick(callback, ...args) {
    if (typeof callback !== 'function') throw new TypeErrorCtor('The "callback" argument must be of type function');
    enqueueMicrotask(() => ReflectApply(callback, undefined, args));
  },
  emitWarning(warning, type) {
    const name = typeof type === 'string' ? type : (warning && warning.name) || 'Warning';
    const message = warning instanceof ErrorCtor ? warning.message : StringCtor(warning);
    writeFd(2, '(node:1) ' + name + ': ' + message + '\n');
  },
  kill() { throw new ErrorCtor('process.kill() is not supported in the sandbox'); },
  binding() { throw new ErrorCtor('No such module'); },
  stdout: makeWritable(1),
  stderr: makeWritable(2),
});
ObjectDefineProperty(process, 'exitCode', {
  get() { return exitCode; },
  set(value) { exitCode = value; },
  enumerable: true, configurable: true,
});
ObjectDefineProperty(process, Symbol.toStringTag, { value: 'process' });
ObjectDefineProperty(process, 'stdin', {
  configurable: true, enumerable: true,
  get() { const stdin = loadBuiltin('internal/stdin').stream; ObjectDefineProperty(process, 'stdin', { value: stdin, configurable: true, enumerable: true, writable: true }); return stdin; },
});
ObjectDefineProperty(G, 'process', { value: process, writable: true, configurable: true });
internal.process = process;
internal.exit = exit;
internal.writeFd = writeFd;
internal.halt = halt;
internal.config = config;

// ---- stdin, shared by fs.readFileSync(0), readline(), process.stdin and the readline module
const stdinState = { text: config.stdin, offset: 0 };
internal.stdin = stdinState;
function readLine() {
  const { text } = stdinState;
  if (stdinState.offset >= text.length) return null;
  let end = text.indexOf('\n', stdinState.offset);
  if (end === -1) end = text.length;
  let line = text.slice(stdinState.offset, end);
  stdinState.offset = end + 1;
  if (line.length > 0 && line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);
  return line;
}

// ---- console (formatting beyond primitives is in the util builtin)
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
const counts = new Map();
const timers = new Map();
const console = {
  log(...args) { emitLine(1, formatArgs(args)); },
  info(...args) { emitLine(1, formatArgs(args)); },
  debug(...args) { emitLine(1, formatArgs(args)); },
  warn(...args) { emitLine(2, formatArgs(args)); },
  error(...args) { emitLine(2, formatArgs(args)); },
  trace(...args) { emitLine(2, util().formatTrace(args, new ErrorCtor())); },
  dir(value, options) { emitLine(1, util().inspect(value, Object.assign({ customInspect: false }, options))); },
  dirxml(...args) { emitLine(1, formatArgs(args)); },
  table(data, columns) { emitLine(1, util().formatTable(data, columns)); },
  assert(condition, ...args) {
    if (condition) return;
    if (args.length > 0 && typeof args[0] === 'string') args[0] = 'Assertion failed: ' + args[0];
    else args.unshift('Assertion failed');
    emitLine(2, formatArgs(args));
  },
  count(label = 'default') { label = '' + label; const n = (counts.get(label) || 0) + 1; counts.set(label, n); emitLine(1, label + ': ' + n); },
  countReset(label = 'default') { counts.delete('' + label); },
  time(label = 'default') { label = '' + label; if (timers.has(label)) { process.emitWarning('Label \'' + label + '\' already exists for console.time()'); return; } timers.set(label, clockRead()); },
  timeEnd(label = 'default') { label = '' + label; const start = timers.get(label); if (start === undefined) { process.emitWarning('No such label \'' + label + '\' for console.timeEnd()'); return; } timers.delete(label); emitLine(1, label + ': ' + util().formatDuration(clockRead() - start)); },
  timeLog(label = 'default', ...data) { label = '' + label; const start = timers.get(label); if (start === undefined) { process.emitWarning('No such label \'' + label + '\' for console.timeLog()'); return; } emitLine(1, label + ': ' + util().formatDuration(clockRead() - start) + (data.length ? ' ' + formatArgs(data) : '')); },
  group(...labels) { if (labels.length) emitLine(1, formatArgs(labels)); groupIndent += '  '; },
  groupCollapsed(...labels) { if (labels.length) emitLine(1, formatArgs(labels)); groupIndent += '  '; },
  groupEnd() { groupIndent = groupIndent.slice(0, -2); },
  clear() {},
  profile() {}, profileEnd() {}, timeStamp() {},
};
ObjectDefineProperty(G, 'console', { value: console, writable: true, configurable: true });
internal.console = console;
internal.formatArgs = formatArgs;

ObjectDefineProperty(G, 'print', {
  value: function print(...args) { emitLine(1, args.map((a) => safeString(a)).join(' ')); },
  writable: true, configurable: true,
});
ObjectDefineProperty(G, 'readline', { value: function readline() { return readLine(); }, writable: true, configurable: true });
internal.readLine = readLine;

// ---- microtasks and the macrotask queues (timers on the virtual clock, immediates, I/O)
function enqueueMicrotask(callback) {
  ReflectApply(PromiseThen, PromiseResolve(), [() => { try { callback(); } catch (error) { fatal(error); } }]);
}
function queueMicrotask(callback) {
  if (typeof callback !== 'function') throw new TypeErrorCtor('The "callback" argument must be of type function');
  enqueueMicrotask(callback);
}
ObjectDefineProperty(G, 'queueMicrotask', { value: queueMicrotask, writable: true, configurable: true });
internal.enqueueMicrotask = enqueueMicrotask;

const TIMEOUT_MAX = 2147483647;
let timerSeq = 0;
const timerQueue = [];   // pending timers, kept sorted by (due, seq)
const immediateQueue = [];
const ioQueue = [];      // I/O callbacks (stdin delivery): run before timers, like Node's poll phase
let refedTimers = 0;

class Timeout {
  constructor(callback, delay, args, repeat) {
    delay = NumberCtor(delay);
    if (!(delay >= 1 && delay <= TIMEOUT_MAX)) delay = 1;
    this._callback = callback; this._args = args; this._delay = delay; this._repeat = repeat;
    this._id = ++timerSeq; this._ref = true; this._active = false;
    this._schedule(virtualNow());
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
    const i = timerQueue.indexOf(this);
    if (i !== -1) timerQueue.splice(i, 1);
    this._active = false;
    if (this._ref) refedTimers--;
  }
  ref() { if (!this._ref) { this._ref = true; if (this._active) refedTimers++; } return this; }
  unref() { if (this._ref) { this._ref = false; if (this._active) refedTimers--; } return this; }
  hasRef() { return this._ref; }
  refresh() { if (this._active) { this._cancel(); this._schedule(virtualNow()); } return this; }
  close() { this._cancel(); return this; }
  [Symbol.toPrimitive]() { return this._id; }
}
const timersById = new Map();
function setTimeout(callback, delay, ...args) {
  if (typeof callback !== 'function') throw new TypeErrorCtor('The "callback" argument must be of type function. Received ' + util().describeType(callback));
  const timer = new Timeout(callback, delay, args, false);
  timersById.set(timer._id, timer);
  return timer;
}
function setInterval(callback, delay, ...args) {
  if (typeof callback !== 'function') throw new TypeErrorCtor('The "callback" argument must be of type function. Received ' + util().describeType(callback));
  const timer = new Timeout(callback, delay, args, true);
  timersById.set(timer._id, timer);
  return timer;
}
function clearTimeout(timer) {
  if (timer instanceof Timeout) { timer._cancel(); timersById.delete(timer._id); return; }
  if (typeof timer === 'number' || typeof timer === 'string') {
    const found = timersById.get(NumberCtor(timer));
    if (found) { found._cancel(); timersById.delete(found._id); }
  }
}
class Immediate {
  constructor(callback, args) { this._callback = callback; this._args = args; this._active = true; this._ref = true; }
  ref() { this._ref = true; return this; }
  unref() { this._ref = false; return this; }
  hasRef() { return this._ref; }
}
function setImmediate(callback, ...args) {
  if (typeof callback !== 'function') throw new TypeErrorCtor('The "callback" argument must be of type function. Received ' + util().describeType(callback));
  const immediate = new Immediate(callback, args);
  immediateQueue.push(immediate);
  return immediate;
}
function clearImmediate(immediate) {
  if (immediate instanceof Immediate && immediate._active) {
    immediate._active = false;
    const i = immediateQueue.indexOf(immediate);
    if (i !== -1) immediateQueue.splice(i, 1);
  }
}
for (const [name, fn] of [['setTimeout', setTimeout], ['setInterval', setInterval], ['clearTimeout', clearTimeout], ['clearInterval', clearTimeout], ['setImmediate', setImmediate], ['clearImmediate', clearImmediate]]) {
  ObjectDefineProperty(G, name, { value: fn, writable: true, configurable: true });
}
internal.timers = { setTimeout, setInterval, clearTimeout, clearInterval: clearTimeout, setImmediate, clearImmediate, Timeout, Immediate };
internal.enqueueIo = function enqueueIo(callback) { ioQueue.push(callback); };

function runCallback(callback, thisArg, args) {
  try { ReflectApply(callback, thisArg, args); } catch (error) { fatal(error); }
}

// One macrotask per call, so the host can drain microtasks in between (Node does the same between
// timer callbacks). Returns 0 after running something, -1 when nothing is left that keeps the
// process alive, or the milliseconds until the next timer is due.
let lastTimerDue = -1;
let lastTimerDelay = -1;
function tick(now) {
  if (ioQueue.length > 0) { const task = ioQueue.shift(); runCallback(task, undefined, []); return 0; }
  if (timerQueue.length > 0 && timerQueue[0]._due <= now) {
    const timer = timerQueue.shift();
    timer._active = false;
    if (timer._ref) refedTimers--;
    // Two timers created with different delays that fall due at the same instant: their order
    // depends on exact timing in Node. Deterministic here, but flagged.
    if (timer._due === lastTimerDue && timer._delay !== lastTimerDelay) markNondeterministic();
    lastTimerDue = timer._due; lastTimerDelay = timer._delay;
    if (timer._repeat) timer._schedule(Math.max(now, timer._due));
    else timersById.delete(timer._id);
    runCallback(timer._callback, timer, timer._args);
    return 0;
  }
  if (immediateQueue.length > 0) {
    const immediate = immediateQueue.shift();
    immediate._active = false;
    runCallback(immediate._callback, immediate, immediate._args);
    return 0;
  }
  if (refedTimers > 0) {
    for (const timer of timerQueue) if (timer._ref) return Math.max(timer._due - now, 0.001);
  }
  return -1;
}

// ---- modules (CommonJS; ES modules arrive here already transformed to CommonJS)
const moduleCache = ObjectCreate(null);
function moduleNotFound(specifier, from, detail) {
  const error = new ErrorCtor("Cannot find module '" + specifier + "'" + (detail ? ': ' + detail : '') + '\nRequire stack:\n- ' + from);
  error.code = 'MODULE_NOT_FOUND';
  error.requireStack = [from];
  return error;
}
function resolveFrom(specifier, fromPath) {
  if (typeof specifier !== 'string') throw new TypeErrorCtor('The "id" argument must be of type string. Received ' + util().describeType(specifier));
  if (specifier === '') throw new TypeErrorCtor("The argument 'id' must be a non-empty string. Received ''");
  const resolution = hostResolve(specifier, fromPath);
  const colon = resolution.indexOf(':');
  const kind = resolution.slice(0, colon);
  const value = resolution.slice(colon + 1);
  if (kind === 'file') return { path: value };
  if (kind === 'builtin') return { builtin: value };
  if (kind === 'unavailable') throw moduleNotFound(specifier, fromPath, "the '" + value + "' module is not available in the sandbox");
  throw moduleNotFound(specifier, fromPath);
}
const builtinModules = config.builtinModules;
function requireBuiltin(name) {
  if (name === 'process') return process;
  if (name === 'console') return console;
  return loadBuiltin(name);
}
class Module {
  constructor(id, parent) {
    this.id = id; this.path = ''; this.exports = {};
    this.filename = null; this.loaded = false; this.children = []; this.paths = [];
    this.parent = parent;
  }
}
function dirnameOf(path) { const i = path.lastIndexOf('/'); return i <= 0 ? '/' : path.slice(0, i); }
function makeRequire(module) {
  function require(specifier) {
    const target = resolveFrom(specifier, module.filename);
    if (target.builtin !== undefined) return requireBuiltin(target.builtin);
    return loadModule(target.path, module).exports;
  }
  require.resolve = function resolve(specifier) { const target = resolveFrom(specifier, module.filename); return target.builtin !== undefined ? (specifier.startsWith('node:') ? specifier : target.builtin) : target.path; };
  require.resolve.paths = function paths() { return []; };
  require.cache = moduleCache;
  require.main = mainModule;
  require.extensions = ObjectCreate(null);
  return require;
}
let mainModule;
function loadModule(path, parent) {
  const cached = moduleCache[path];
  if (cached !== undefined) { if (parent && !parent.children.includes(cached)) parent.children.push(cached); return cached; }
  const module = new Module(parent ? path : '.', parent || null);
  module.filename = path;
  module.path = dirnameOf(path);
  moduleCache[path] = module;
  if (parent) parent.children.push(module);
  else { mainModule = module; process.mainModule = module; }
  module.require = makeRequire(module);
  try {
    if (path.endsWith('.json')) {
      const text = config.files[path];
      try { module.exports = JSONParse(text); }
      catch (error) { error.message = path + ': ' + error.message; throw error; }
    } else {
      const compiled = hostCompile(path);
      if (typeof compiled !== 'function') throw compiled;
      const result = ReflectApply(compiled, module.exports, [module.exports, module.require, module, path, module.path]);
      if (result !== undefined && parent === null) module.completion = result;
    }
  } catch (error) {
    delete moduleCache[path];
    throw error;
  }
  module.loaded = true;
  return module;
}
internal.requireFrom = function requireFrom(specifier, fromPath) { return makeRequire({ filename: fromPath, children: [] })(specifier); };

// ---- run the entry, then let the host drive the loop
let entryPromise;
let entryState = 'pending';
function main() {
  try {
    const module = loadModule(config.entry, null);
    if (module.completion && typeof module.completion.then === 'function') {
      entryPromise = module.completion;
      ReflectApply(PromiseThen, entryPromise, [() => { entryState = 'fulfilled'; }, (error) => { entryState = 'rejected'; fatal(error); }]);
    } else entryState = 'fulfilled';
  } catch (error) {
    entryState = 'rejected';
    fatal(error);
  }
}

let beforeExitEmitted = false;
// Called when the loop has nothing left. Returns true if 'beforeExit' listeners scheduled more work.
function finish() {
  if (entryState === 'pending') {
    writeFd(2, 'Warning: Detected unsettled top-level await at ' + config.entry + '\n');
    exit(13);
  }
  if (!beforeExitEmitted && process.listenerCount('beforeExit') > 0) {
    beforeExitEmitted = true;
    try { process.emit('beforeExit', normalizedExitCode()); } catch (error) { fatal(error); }
    return true;
  }
  exit(undefined);
  return false;
}

G.global = G;
lazyGlobal('Buffer', () => loadBuiltin('buffer').Buffer);
lazyGlobal('TextEncoder', () => loadBuiltin('buffer').TextEncoder);
lazyGlobal('TextDecoder', () => loadBuiltin('buffer').TextDecoder);
lazyGlobal('atob', () => loadBuiltin('buffer').atob);
lazyGlobal('btoa', () => loadBuiltin('buffer').btoa);
lazyGlobal('structuredClone', () => util().structuredClone);
lazyGlobal('require', () => makeRequire({ filename: config.cwd + '/[eval]', children: [] }));

Error.stackTraceLimit = 10;
// QuickJS reports deep recursion as InternalError('stack overflow'); make it catchable as the
// RangeError Node programs test for.
Object.setPrototypeOf(InternalError.prototype, RangeError.prototype);

return { main, tick, finish, fatal };
})`;
