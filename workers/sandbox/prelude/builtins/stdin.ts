// process.stdin as a minimal Readable, and the `readline` / `readline/promises` builtins.
// The whole of stdin is known up front; it is delivered as one chunk in an I/O macrotask, as Node
// does for small piped input. All readers share one cursor (see internal.stdin in core.ts).

export const STDIN_BUILTIN = String.raw`(function (module, internal, require) {
'use strict';
const { stdin: state, enqueueIo } = internal;
const EventEmitter = require('events');
const stream = new EventEmitter();
let encoding = null;
let flowing = null;
let flowScheduled = false;
let readableScheduled = false;
let ended = false;
let endScheduled = false;

function takeRemaining() {
  const text = state.text.slice(state.offset);
  state.offset = state.text.length;
  return text;
}
function asChunk(text) { return encoding ? text : require('buffer').Buffer.from(text, 'utf8'); }
function scheduleEnd() {
  if (ended || endScheduled) return;
  endScheduled = true;
  enqueueIo(() => {
    if (ended) return;
    ended = true;
    stream.readable = false;
    stream.readableEnded = true;
    stream.emit('end');
    stream.emit('close');
  });
}
function scheduleFlow() {
  if (flowScheduled || ended) return;
  flowScheduled = true;
  enqueueIo(() => {
    flowScheduled = false;
    if (flowing !== true || ended) return;
    const text = takeRemaining();
    if (text.length > 0) stream.emit('data', asChunk(text));
    if (flowing === true) scheduleEnd();
  });
}
function scheduleReadable() {
  if (readableScheduled || ended) return;
  readableScheduled = true;
  enqueueIo(() => {
    readableScheduled = false;
    if (ended) return;
    stream.emit('readable');
    if (state.offset >= state.text.length) scheduleEnd();
    else scheduleReadable();
  });
}
Object.assign(stream, {
  fd: 0, isTTY: false, readable: true, readableEnded: false,
  setEncoding(enc) { encoding = enc || 'utf8'; return stream; },
  resume() { flowing = true; scheduleFlow(); return stream; },
  pause() { flowing = false; return stream; },
  isPaused() { return flowing === false; },
  read() {
    if (state.offset >= state.text.length) { scheduleEnd(); return null; }
    return asChunk(takeRemaining());
  },
  unref() { return stream; }, ref() { return stream; },
  setRawMode() { return stream; },
  destroy() { ended = true; return stream; },
  pipe(destination) {
    stream.on('data', (chunk) => destination.write(chunk));
    return destination;
  },
  [Symbol.asyncIterator]() {
    let done = false;
    return {
      next() {
        if (done || state.offset >= state.text.length) { done = true; return Promise.resolve({ value: undefined, done: true }); }
        return Promise.resolve({ value: asChunk(takeRemaining()), done: false });
      },
      return() { done = true; return Promise.resolve({ value: undefined, done: true }); },
      [Symbol.asyncIterator]() { return this; },
    };
  },
});
const on = EventEmitter.prototype.on;
stream.on = stream.addListener = function (name, listener) {
  on.call(stream, name, listener);
  if (name === 'data' && flowing !== false) { flowing = true; scheduleFlow(); }
  else if (name === 'readable') scheduleReadable();
  return stream;
};
stream.once = function (name, listener) {
  const wrapper = (...args) => { stream.off(name, wrapper); listener.apply(stream, args); };
  wrapper.listener = listener;
  return stream.on(name, wrapper);
};
module.exports = { stream, takeRemaining };
})`;

/** `readline` (callback question) or `readline/promises` (question returns a promise). */
export function readlineBuiltin(promises: boolean): string {
  return READLINE_TEMPLATE.replace("__PROMISE_MODE__", String(promises));
}

const READLINE_TEMPLATE = String.raw`(function (module, internal, require) {
'use strict';
const EventEmitter = require('events');
const promiseMode = __PROMISE_MODE__;

// Lines nobody is listening for yet are kept (Node drops them), so the common
// "await rl.question()" loop over piped input sees every line; 'close' comes one macrotask after
// the input ends, once those waiting readers had a chance to run.
class Interface extends EventEmitter {
  constructor(input, output, completer, terminal) {
    super();
    const options = input && typeof input === 'object' && 'input' in input ? input : { input, output };
    this.input = options.input;
    this.output = options.output;
    this.terminal = false;
    this.line = '';
    this.cursor = 0;
    this.closed = false;
    this.paused = false;
    this.history = [];
    this._prompt = options.prompt === undefined ? '> ' : String(options.prompt);
    this._pending = '';
    this._buffered = [];
    this._questions = [];
    this._onData = (chunk) => this._receive(String(chunk));
    this._onEnd = () => this._finish();
    this.on('newListener', (name) => {
      if (name === 'line' && this._buffered.length > 0) internal.enqueueMicrotask(() => this._flush());
    });
    if (this.input && typeof this.input.on === 'function') {
      this.input.on('data', this._onData);
      this.input.on('end', this._onEnd);
      if (typeof this.input.resume === 'function') this.input.resume();
    }
  }
  _receive(text) {
    if (this.closed) return;
    const parts = (this._pending + text).split(/\r\n|\n|\r/);
    this._pending = parts.pop();
    for (const line of parts) this._emitLine(line);
  }
  _emitLine(line) {
    if (this.closed) return;
    const question = this._questions.shift();
    if (question) question(line);
    else if (this.listenerCount('line') > 0) this.emit('line', line);
    else this._buffered.push(line);
  }
  _flush() {
    while (this._buffered.length > 0 && !this.closed && (this._questions.length > 0 || this.listenerCount('line') > 0)) {
      this._emitLine(this._buffered.shift());
    }
  }
  _finish() {
    if (this._pending !== '') { const rest = this._pending; this._pending = ''; this._emitLine(rest); }
    internal.enqueueIo(() => this.close());
  }
  close() {
    if (this.closed) return;
    this.closed = true;
    if (this.input && typeof this.input.off === 'function') { this.input.off('data', this._onData); this.input.off('end', this._onEnd); }
    if (this.input && typeof this.input.pause === 'function') this.input.pause();
    this.emit('close');
  }
  pause() { this.paused = true; this.emit('pause'); return this; }
  resume() { this.paused = false; this.emit('resume'); return this; }
  setPrompt(prompt) { this._prompt = String(prompt); }
  getPrompt() { return this._prompt; }
  prompt() { if (this.output && typeof this.output.write === 'function') this.output.write(this._prompt); }
  write(data) { if (typeof data === 'string') this._receive(data); }
  question(query, options, callback) {
    if (typeof options === 'function') callback = options;
    if (this.closed) { const err = new Error('readline was closed'); err.code = 'ERR_USE_AFTER_CLOSE'; throw err; }
    if (this.output && typeof this.output.write === 'function' && query) this.output.write(String(query));
    const answer = promiseMode ? new Promise((resolve) => this._questions.push(resolve)) : (typeof callback === 'function' ? this._questions.push(callback) : undefined);
    if (this._buffered.length > 0) internal.enqueueMicrotask(() => this._flush());
    return promiseMode ? answer : undefined;
  }
  getCursorPos() { return { rows: 0, cols: 0 }; }
  [Symbol.asyncIterator]() {
    const queue = [];
    const waiters = [];
    let done = this.closed;
    const onLine = (line) => { if (waiters.length) waiters.shift()({ value: line, done: false }); else queue.push(line); };
    const onClose = () => { done = true; while (waiters.length) waiters.shift()({ value: undefined, done: true }); };
    this.on('line', onLine);
    this.on('close', onClose);
    while (this._buffered.length > 0) queue.push(this._buffered.shift());
    const self = this;
    return {
      next() {
        if (queue.length) return Promise.resolve({ value: queue.shift(), done: false });
        if (done) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => waiters.push(resolve));
      },
      return() {
        self.off('line', onLine);
        self.off('close', onClose);
        self.close();
        return Promise.resolve({ value: undefined, done: true });
      },
      [Symbol.asyncIterator]() { return this; },
    };
  }
}
function createInterface(input, output, completer, terminal) { return new Interface(input, output, completer, terminal); }
const noop = (stream, a, b, callback) => { const cb = [a, b, callback].find((x) => typeof x === 'function'); if (cb) internal.enqueueMicrotask(cb); return true; };
module.exports = {
  Interface, createInterface,
  clearLine: noop, clearScreenDown: noop, cursorTo: noop, moveCursor: noop,
  emitKeypressEvents() {},
};
if (!promiseMode) module.exports.promises = require('readline/promises');
})`;
