// Small builtins: path (POSIX), os, string_decoder, timers, timers/promises, perf_hooks,
// crypto, and the one-line re-exports.

export const PATH_BUILTIN = String.raw`(function (module, internal, require) {
'use strict';
function assertPath(path) { if (typeof path !== 'string') throw new TypeError('The "path" argument must be of type string. Received ' + require('internal/inspect').describeType(path)); }
function normalizeString(path, allowAboveRoot) {
  let res = ''; let lastSegmentLength = 0; let lastSlash = -1; let dots = 0; let code;
  for (let i = 0; i <= path.length; ++i) {
    if (i < path.length) code = path.charCodeAt(i);
    else if (code === 47) break;
    else code = 47;
    if (code === 47) {
      if (lastSlash === i - 1 || dots === 1) {
        // nothing
      } else if (dots === 2) {
        if (res.length < 2 || lastSegmentLength !== 2 || res.charCodeAt(res.length - 1) !== 46 || res.charCodeAt(res.length - 2) !== 46) {
          if (res.length > 2) {
            const lastSlashIndex = res.lastIndexOf('/');
            if (lastSlashIndex === -1) { res = ''; lastSegmentLength = 0; }
            else { res = res.slice(0, lastSlashIndex); lastSegmentLength = res.length - 1 - res.lastIndexOf('/'); }
            lastSlash = i; dots = 0; continue;
          } else if (res.length !== 0) { res = ''; lastSegmentLength = 0; lastSlash = i; dots = 0; continue; }
        }
        if (allowAboveRoot) { res += res.length > 0 ? '/..' : '..'; lastSegmentLength = 2; }
      } else {
        if (res.length > 0) res += '/' + path.slice(lastSlash + 1, i);
        else res = path.slice(lastSlash + 1, i);
        lastSegmentLength = i - lastSlash - 1;
      }
      lastSlash = i; dots = 0;
    } else if (code === 46 && dots !== -1) ++dots;
    else dots = -1;
  }
  return res;
}
const path = {
  sep: '/', delimiter: ':',
  resolve(...args) {
    let resolvedPath = ''; let resolvedAbsolute = false;
    for (let i = args.length - 1; i >= -1 && !resolvedAbsolute; i--) {
      const p = i >= 0 ? args[i] : internal.config.cwd;
      assertPath(p);
      if (p.length === 0) continue;
      resolvedPath = p + '/' + resolvedPath;
      resolvedAbsolute = p.charCodeAt(0) === 47;
    }
    resolvedPath = normalizeString(resolvedPath, !resolvedAbsolute);
    if (resolvedAbsolute) return '/' + resolvedPath;
    return resolvedPath.length > 0 ? resolvedPath : '.';
  },
  normalize(p) {
    assertPath(p);
    if (p.length === 0) return '.';
    const isAbsolute = p.charCodeAt(0) === 47;
    const trailingSeparator = p.charCodeAt(p.length - 1) === 47;
    let out = normalizeString(p, !isAbsolute);
    if (out.length === 0) { if (isAbsolute) return '/'; return trailingSeparator ? './' : '.'; }
    if (trailingSeparator) out += '/';
    return isAbsolute ? '/' + out : out;
  },
  isAbsolute(p) { assertPath(p); return p.length > 0 && p.charCodeAt(0) === 47; },
  join(...args) {
    if (args.length === 0) return '.';
    let joined;
    for (const arg of args) { assertPath(arg); if (arg.length > 0) joined = joined === undefined ? arg : joined + '/' + arg; }
    return joined === undefined ? '.' : path.normalize(joined);
  },
  relative(from, to) {
    assertPath(from); assertPath(to);
    if (from === to) return '';
    from = path.resolve(from); to = path.resolve(to);
    if (from === to) return '';
    const fromParts = from.split('/').filter(Boolean);
    const toParts = to.split('/').filter(Boolean);
    let i = 0;
    while (i < fromParts.length && i < toParts.length && fromParts[i] === toParts[i]) i++;
    return [...fromParts.slice(i).map(() => '..'), ...toParts.slice(i)].join('/');
  },
  toNamespacedPath(p) { return p; },
  dirname(p) {
    assertPath(p);
    if (p.length === 0) return '.';
    const hasRoot = p.charCodeAt(0) === 47;
    let end = -1; let matchedSlash = true;
    for (let i = p.length - 1; i >= 1; --i) {
      if (p.charCodeAt(i) === 47) { if (!matchedSlash) { end = i; break; } }
      else matchedSlash = false;
    }
    if (end === -1) return hasRoot ? '/' : '.';
    if (hasRoot && end === 1) return '//';
    return p.slice(0, end);
  },
  basename(p, suffix) {
    assertPath(p);
    let end = p.length;
    while (end > 1 && p.charCodeAt(end - 1) === 47) end--;
    const start = p.lastIndexOf('/', end - 1) + 1;
    let base = p.slice(start, end);
    if (suffix !== undefined && base.endsWith(suffix) && base !== suffix) base = base.slice(0, base.length - suffix.length);
    return base;
  },
  extname(p) {
    assertPath(p);
    const base = path.basename(p);
    const dot = base.lastIndexOf('.');
    if (dot <= 0 || base === '..') return '';
    return base.slice(dot);
  },
  parse(p) {
    assertPath(p);
    const root = p.charCodeAt(0) === 47 ? '/' : '';
    const base = path.basename(p);
    const ext = path.extname(p);
    let dir = path.dirname(p);
    if (dir === '.' && !p.startsWith('.')) dir = '';
    return { root, dir, base, ext, name: ext ? base.slice(0, base.length - ext.length) : base };
  },
  format(obj) {
    const dir = obj.dir || obj.root;
    const base = obj.base || (obj.name || '') + (obj.ext ? (obj.ext[0] === '.' ? '' : '.') + obj.ext : '');
    if (!dir) return base;
    return dir === obj.root ? dir + base : dir + '/' + base;
  },
  matchesGlob() { throw new Error('path.matchesGlob is not supported in the sandbox'); },
};
path.posix = path;
path.win32 = path;
module.exports = path;
})`;

export const OS_BUILTIN = String.raw`(function (module, internal, require) {
'use strict';
const cpu = { model: 'QuickJS (WebAssembly)', speed: 0, times: { user: 0, nice: 0, sys: 0, idle: 0, irq: 0 } };
module.exports = {
  EOL: '\n', devNull: '/dev/null',
  arch: () => internal.process.arch, platform: () => 'linux', type: () => 'Linux', release: () => '6.0.0', version: () => '#1 SMP',
  machine: () => 'x86_64', hostname: () => 'sandbox', homedir: () => internal.config.cwd, tmpdir: () => '/tmp',
  endianness: () => 'LE', cpus: () => [cpu], availableParallelism: () => 1, loadavg: () => [0, 0, 0],
  totalmem: () => internal.config.memoryLimitBytes, freemem: () => Math.max(0, internal.config.memoryLimitBytes - internal.heapBytes()),
  uptime: () => Math.floor(internal.clockRead() / 1000), networkInterfaces: () => ({}),
  userInfo: () => ({ uid: 1000, gid: 1000, username: 'sandbox', homedir: internal.config.cwd, shell: null }),
  getPriority: () => 0, setPriority() {},
  constants: { signals: { SIGINT: 2, SIGKILL: 9, SIGTERM: 15 }, errno: {}, priority: {} },
};
})`;

export const STRING_DECODER_BUILTIN = String.raw`(function (module, internal, require) {
'use strict';
const { Buffer } = require('buffer');
// Length of the incomplete UTF-8 sequence at the end of bytes (0 if it ends on a boundary).
function incompleteTail(bytes) {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const b = bytes[bytes.length - back];
    if ((b & 0xc0) === 0x80) continue;
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > back ? back : 0;
  }
  return 0;
}
class StringDecoder {
  constructor(encoding = 'utf8') { this.encoding = String(encoding).toLowerCase().replace('-', ''); this.pending = Buffer.alloc(0); }
  write(buffer) {
    if (typeof buffer === 'string') return buffer;
    const bytes = Buffer.concat([this.pending, Buffer.from(buffer)]);
    if (this.encoding !== 'utf8') { this.pending = Buffer.alloc(0); return bytes.toString(this.encoding); }
    const tail = incompleteTail(bytes);
    this.pending = Buffer.from(bytes.subarray(bytes.length - tail));
    return bytes.subarray(0, bytes.length - tail).toString('utf8');
  }
  end(buffer) {
    let out = buffer === undefined ? '' : this.write(buffer);
    if (this.pending.length) { out += this.pending.toString(this.encoding === 'utf8' ? 'utf8' : this.encoding); this.pending = Buffer.alloc(0); }
    return out;
  }
}
module.exports = { StringDecoder };
})`;

export const TIMERS_BUILTIN = String.raw`(function (module, internal, require) {
'use strict';
module.exports = Object.assign({}, internal.timers);
Object.defineProperty(module.exports, 'promises', { get() { return require('timers/promises'); }, enumerable: true });
})`;

export const TIMERS_PROMISES_BUILTIN = String.raw`(function (module, internal) {
'use strict';
const timers = internal.timers;
module.exports = {
  setTimeout(delay, value) { return new Promise((resolve) => timers.setTimeout(() => resolve(value), delay)); },
  setImmediate(value) { return new Promise((resolve) => timers.setImmediate(() => resolve(value))); },
  async *setInterval(delay, value) {
    for (;;) { await new Promise((resolve) => timers.setTimeout(resolve, delay)); yield value; }
  },
  scheduler: {
    wait(delay) { return new Promise((resolve) => timers.setTimeout(resolve, delay)); },
    yield() { return new Promise((resolve) => timers.setImmediate(resolve)); },
  },
};
})`;

export const PERF_HOOKS_BUILTIN = String.raw`(function (module, internal) {
'use strict';
class PerformanceObserver { observe() {} disconnect() {} }
module.exports = { performance: internal.performance, PerformanceObserver, monitorEventLoopDelay() { return { enable() {}, disable() {}, percentile() { return 0; } }; } };
})`;

export const CRYPTO_BUILTIN = String.raw`(function (module, internal, require) {
'use strict';
const { Buffer } = require('buffer');
function getRandomValues(array) {
  if (!ArrayBuffer.isView(array) || array instanceof Float32Array || array instanceof Float64Array || array instanceof DataView) {
    const err = new TypeError('The data argument must be an integer-type TypedArray'); err.code = 'ERR_INVALID_ARG_TYPE'; throw err;
  }
  if (array.byteLength > 65536) { const err = new RangeError("The ArrayBufferView's byte length (" + array.byteLength + ') exceeds the number of bytes of entropy available via this API (65536)'); err.name = 'QuotaExceededError'; throw err; }
  new Uint8Array(array.buffer, array.byteOffset, array.byteLength).set(internal.randomBytes(array.byteLength));
  return array;
}
function randomUUID() {
  const b = internal.randomBytes(16);
  b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
  let hex = '';
  for (let i = 0; i < 16; i++) { hex += (b[i] < 16 ? '0' : '') + b[i].toString(16); if (i === 3 || i === 5 || i === 7 || i === 9) hex += '-'; }
  return hex;
}
function toBytes(data, encoding) {
  if (typeof data === 'string') return Buffer.from(data, encoding || 'utf8');
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  throw new TypeError('The "data" argument must be of type string or an instance of Buffer, TypedArray, or DataView.');
}
function digestFactory(kind, algorithm, key) {
  const chunks = [];
  let done = false;
  return {
    update(data, encoding) { if (done) throw new Error('Digest already called'); chunks.push(toBytes(data, encoding)); return this; },
    digest(encoding) {
      if (done) throw new Error('Digest already called');
      done = true;
      const all = Buffer.concat(chunks.map((c) => Buffer.from(c)));
      const out = Buffer.from(internal.digest(kind, String(algorithm).toLowerCase(), key, all));
      return encoding ? out.toString(encoding) : out;
    },
    copy() { const next = digestFactory(kind, algorithm, key); for (const c of chunks) next.update(c); return next; },
  };
}
function randomBytes(size, callback) {
  const bytes = Buffer.from(internal.randomBytes(size));
  if (typeof callback === 'function') { internal.enqueueIo(() => callback(null, bytes)); return undefined; }
  return bytes;
}
function randomInt(min, max, callback) {
  if (max === undefined || typeof max === 'function') { callback = max; max = min; min = 0; }
  const range = max - min;
  if (!(range > 0)) throw new RangeError('The value of "max" is out of range. It must be greater than the value of "min" (' + min + '). Received ' + max);
  const words = new Uint32Array(2);
  getRandomValues(words);
  const value = min + Math.floor(((words[0] * 4294967296 + words[1]) / 18446744073709551616) * range);
  if (typeof callback === 'function') { internal.enqueueIo(() => callback(null, value)); return undefined; }
  return value;
}
module.exports = {
  createHash: (algorithm) => digestFactory('hash', algorithm, null),
  createHmac: (algorithm, key) => digestFactory('hmac', algorithm, toBytes(key)),
  randomBytes, pseudoRandomBytes: randomBytes, randomInt,
  randomUUID, getRandomValues,
  randomFillSync(buffer, offset = 0, size) { const view = new Uint8Array(buffer.buffer || buffer, (buffer.byteOffset || 0) + offset, size === undefined ? (buffer.byteLength - offset) : size); view.set(internal.randomBytes(view.length)); return buffer; },
  getHashes: () => ['md5', 'sha1', 'sha256', 'sha384', 'sha512'],
  timingSafeEqual(a, b) { if (a.length !== b.length) throw new RangeError('Input buffers must have the same byte length'); let d = 0; for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i]; return d === 0; },
};
module.exports.webcrypto = { getRandomValues, randomUUID };

})`;

export const reexport = (expression: string) => `(function (module, internal, require) { module.exports = ${expression}; })`;
