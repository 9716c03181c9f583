// `events`: EventEmitter as a plain constructor function, so old-style subclasses
// (EventEmitter.call(this) + util.inherits) work as well as `class X extends EventEmitter`.
export const EVENTS_BUILTIN = String.raw`(function (module, internal) {
'use strict';
const kEvents = Symbol('events');
function eventsOf(emitter) {
  let events = emitter[kEvents];
  if (events === undefined) { events = Object.create(null); Object.defineProperty(emitter, kEvents, { value: events, writable: true, configurable: true }); }
  return events;
}
function onceWrapper(emitter, name, listener) {
  function wrapper(...args) { emitter.removeListener(name, wrapper); return Reflect.apply(listener, emitter, args); }
  wrapper.listener = listener;
  return wrapper;
}
function EventEmitter() { eventsOf(this); }
Object.assign(EventEmitter.prototype, {
  on(name, listener) {
    if (typeof listener !== 'function') throw new TypeError('The "listener" argument must be of type function');
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
      if (name === 'error') { const err = args[0]; throw err instanceof Error ? err : new Error('Unhandled error. (' + String(err) + ')'); }
      return false;
    }
    for (const listener of list.slice()) Reflect.apply(listener, this, args);
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
  return new Promise((resolve, reject) => {
    const onError = (error) => { emitter.removeListener(name, onEvent); reject(error); };
    const onEvent = (...args) => { if (name !== 'error') emitter.removeListener('error', onError); resolve(args); };
    emitter.once(name, onEvent);
    if (name !== 'error') emitter.once('error', onError);
  });
};
EventEmitter.listenerCount = function listenerCount(emitter, name) { return emitter.listenerCount(name); };
module.exports = EventEmitter;
})`;
