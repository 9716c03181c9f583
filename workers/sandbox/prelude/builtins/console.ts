// The less common console methods (the common ones live in ../core.ts).
export const CONSOLE_BUILTIN = String.raw`(function (module, internal, require) {
'use strict';
const util = require('internal/inspect');
const { emitLine, formatArgs, clockRead } = internal;
const counts = new Map();
const timers = new Map();
const warn = (message) => internal.process.emitWarning(message);
module.exports = {
  trace(...args) { emitLine(2, util.formatTrace(args, new Error())); },
  dir(value, options) { emitLine(1, util.inspect(value, Object.assign({ customInspect: false }, options))); },
  dirxml(...args) { emitLine(1, formatArgs(args)); },
  table(data, columns) { emitLine(1, require('internal/table')(data, columns)); },
  assert(condition, ...args) {
    if (condition) return;
    if (args.length > 0 && typeof args[0] === 'string') args[0] = 'Assertion failed: ' + args[0];
    else args.unshift('Assertion failed');
    emitLine(2, formatArgs(args));
  },
  count(label = 'default') { label = '' + label; const n = (counts.get(label) || 0) + 1; counts.set(label, n); emitLine(1, label + ': ' + n); },
  countReset(label = 'default') { counts.delete('' + label); },
  time(label = 'default') {
    label = '' + label;
    if (timers.has(label)) { warn("Label '" + label + "' already exists for console.time()"); return; }
    timers.set(label, clockRead());
  },
  timeEnd(label = 'default') {
    label = '' + label;
    const start = timers.get(label);
    if (start === undefined) { warn("No such label '" + label + "' for console.timeEnd()"); return; }
    timers.delete(label);
    emitLine(1, label + ': ' + util.formatDuration(clockRead() - start));
  },
  timeLog(label = 'default', ...data) {
    label = '' + label;
    const start = timers.get(label);
    if (start === undefined) { warn("No such label '" + label + "' for console.timeLog()"); return; }
    emitLine(1, label + ': ' + util.formatDuration(clockRead() - start) + (data.length ? ' ' + formatArgs(data) : ''));
  },
  clear() {}, profile() {}, profileEnd() {}, timeStamp() {},
};
})`;
