// `buffer` builtin: Buffer (a Uint8Array subclass like Node's), TextEncoder/TextDecoder, atob/btoa.
// UTF-8 encoding and decoding are done by the host (native speed); hex/base64/latin1 here.
export const BUFFER_BUILTIN = String.raw`(function (module, internal, require) {
'use strict';
const utf8Encode = internal.utf8Encode;
const utf8Decode = internal.utf8Decode;
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_LOOKUP = new Int16Array(256).fill(-1);
for (let i = 0; i < 64; i++) B64_LOOKUP[B64.charCodeAt(i)] = i;
B64_LOOKUP[45] = 62; B64_LOOKUP[95] = 63; // base64url

function normalizeEncoding(encoding) {
  if (encoding === undefined || encoding === null) return 'utf8';
  switch (String(encoding).toLowerCase()) {
    case 'utf8': case 'utf-8': return 'utf8';
    case 'hex': return 'hex';
    case 'base64': return 'base64';
    case 'base64url': return 'base64url';
    case 'latin1': case 'binary': return 'latin1';
    case 'ascii': return 'ascii';
    case 'ucs2': case 'ucs-2': case 'utf16le': case 'utf-16le': return 'utf16le';
    default: return undefined;
  }
}
function checkEncoding(encoding) {
  const normalized = normalizeEncoding(encoding);
  if (normalized === undefined) { const err = new TypeError('Unknown encoding: ' + encoding); err.code = 'ERR_UNKNOWN_ENCODING'; throw err; }
  return normalized;
}
function encodeString(string, encoding) {
  switch (encoding) {
    case 'utf8': return new Uint8Array(utf8Encode(string));
    case 'hex': {
      const length = string.length >>> 1;
      const out = new Uint8Array(length);
      let i = 0;
      for (; i < length; i++) {
        const byte = parseInt(string.substr(i * 2, 2), 16);
        if (byte !== byte) break;
        out[i] = byte;
      }
      return i === length ? out : out.subarray(0, i);
    }
    case 'base64': case 'base64url': {
      const out = new Uint8Array(Math.ceil(string.length * 3 / 4));
      let bits = 0; let value = 0; let n = 0;
      for (let i = 0; i < string.length; i++) {
        const v = B64_LOOKUP[string.charCodeAt(i) & 255];
        if (v < 0 || string.charCodeAt(i) > 255) continue;
        value = (value << 6) | v; bits += 6;
        if (bits >= 8) { bits -= 8; out[n++] = (value >> bits) & 255; }
      }
      return out.subarray(0, n);
    }
    case 'latin1': case 'ascii': {
      const out = new Uint8Array(string.length);
      for (let i = 0; i < string.length; i++) out[i] = string.charCodeAt(i) & 255;
      return out;
    }
    case 'utf16le': {
      const out = new Uint8Array(string.length * 2);
      for (let i = 0; i < string.length; i++) { const c = string.charCodeAt(i); out[i * 2] = c & 255; out[i * 2 + 1] = c >> 8; }
      return out;
    }
  }
  throw new TypeError('Unknown encoding: ' + encoding);
}
function decodeBytes(bytes, encoding) {
  switch (encoding) {
    case 'utf8': return utf8Decode(bytes);
    case 'hex': { let s = ''; for (let i = 0; i < bytes.length; i++) s += (bytes[i] < 16 ? '0' : '') + bytes[i].toString(16); return s; }
    case 'base64': case 'base64url': {
      const url = encoding === 'base64url';
      const alphabet = url ? B64.slice(0, 62) + '-_' : B64;
      let s = '';
      let i = 0;
      for (; i + 2 < bytes.length; i += 3) {
        const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
        s += alphabet[n >> 18] + alphabet[(n >> 12) & 63] + alphabet[(n >> 6) & 63] + alphabet[n & 63];
      }
      if (i < bytes.length) {
        const n = (bytes[i] << 16) | ((i + 1 < bytes.length ? bytes[i + 1] : 0) << 8);
        s += alphabet[n >> 18] + alphabet[(n >> 12) & 63];
        if (i + 1 < bytes.length) s += alphabet[(n >> 6) & 63];
        if (!url) s += i + 1 < bytes.length ? '=' : '==';
      }
      return s;
    }
    case 'latin1': { let s = ''; for (let i = 0; i < bytes.length; i += 8192) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 8192)); return s; }
    case 'ascii': { let s = ''; for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i] & 127); return s; }
    case 'utf16le': { let s = ''; for (let i = 0; i + 1 < bytes.length; i += 2) s += String.fromCharCode(bytes[i] | (bytes[i + 1] << 8)); return s; }
  }
  throw new TypeError('Unknown encoding: ' + encoding);
}

class Buffer extends Uint8Array {
  static from(value, encodingOrOffset, length) {
    if (typeof value === 'string') return fromBytes(encodeString(value, checkEncoding(encodingOrOffset)));
    if (value instanceof ArrayBuffer || (typeof SharedArrayBuffer === 'function' && value instanceof SharedArrayBuffer)) {
      const offset = encodingOrOffset === undefined ? 0 : Number(encodingOrOffset);
      const len = length === undefined ? value.byteLength - offset : Number(length);
      return new Buffer(value, offset, len);
    }
    if (ArrayBuffer.isView(value)) return fromBytes(new Uint8Array(value.buffer, value.byteOffset, value.byteLength).slice());
    if (value && typeof value === 'object') {
      if (value.type === 'Buffer' && Array.isArray(value.data)) return fromBytes(Uint8Array.from(value.data));
      if (typeof value.length === 'number' || Array.isArray(value)) return fromBytes(Uint8Array.from(value, (v) => Number(v) & 255));
      if (typeof value[Symbol.toPrimitive] === 'function' || typeof value.valueOf === 'function') {
        const primitive = typeof value[Symbol.toPrimitive] === 'function' ? value[Symbol.toPrimitive]('string') : value.valueOf();
        if (primitive !== value && (typeof primitive === 'string' || typeof primitive === 'object')) return Buffer.from(primitive, encodingOrOffset, length);
      }
    }
    throw new TypeError('The first argument must be of type string or an instance of Buffer, ArrayBuffer, or Array or an Array-like Object. Received ' + require('internal/inspect').describeType(value));
  }
  static alloc(size, fill, encoding) { const b = new Buffer(checkSize(size)); if (fill !== undefined && fill !== 0) b.fill(fill, 0, b.length, encoding); return b; }
  static allocUnsafe(size) { return new Buffer(checkSize(size)); }
  static allocUnsafeSlow(size) { return new Buffer(checkSize(size)); }
  static isBuffer(value) { return value instanceof Buffer; }
  static isEncoding(encoding) { return typeof encoding === 'string' && encoding !== '' && normalizeEncoding(encoding) !== undefined; }
  static byteLength(value, encoding) {
    if (typeof value !== 'string') { if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return value.byteLength; throw new TypeError('The "string" argument must be of type string or an instance of Buffer or ArrayBuffer.'); }
    return encodeString(value, checkEncoding(encoding)).length;
  }
  static concat(list, totalLength) {
    if (!Array.isArray(list)) throw new TypeError('The "list" argument must be an instance of Array.');
    if (totalLength === undefined) { totalLength = 0; for (const item of list) totalLength += item.length; }
    const out = Buffer.alloc(totalLength);
    let offset = 0;
    for (const item of list) {
      if (offset >= totalLength) break;
      const chunk = item.length > totalLength - offset ? item.subarray(0, totalLength - offset) : item;
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }
  static compare(a, b) { return a.compare(b); }
  toString(encoding, start, end) {
    const enc = checkEncoding(encoding);
    start = start === undefined ? 0 : Math.max(0, start | 0);
    end = end === undefined ? this.length : Math.min(this.length, end | 0);
    if (end <= start) return '';
    return decodeBytes(new Uint8Array(this.buffer, this.byteOffset + start, end - start), enc);
  }
  toLocaleString(encoding, start, end) { return this.toString(encoding, start, end); }
  toJSON() { return { type: 'Buffer', data: Array.from(this) }; }
  equals(other) { return this.compare(other) === 0; }
  compare(other, targetStart = 0, targetEnd = other.length, sourceStart = 0, sourceEnd = this.length) {
    if (!(other instanceof Uint8Array)) throw new TypeError('The "target" argument must be an instance of Buffer or Uint8Array.');
    const a = this.subarray(sourceStart, sourceEnd);
    const b = other.subarray(targetStart, targetEnd);
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
    return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
  }
  write(string, offset, length, encoding) {
    if (typeof offset === 'string') { encoding = offset; offset = 0; length = undefined; }
    else if (typeof length === 'string') { encoding = length; length = undefined; }
    offset = offset === undefined ? 0 : offset >>> 0;
    const bytes = encodeString(string, checkEncoding(encoding));
    const count = Math.min(bytes.length, this.length - offset, length === undefined ? Infinity : length);
    this.set(bytes.subarray(0, count), offset);
    return count;
  }
  fill(value, offset = 0, end = this.length, encoding) {
    if (typeof offset === 'string') { encoding = offset; offset = 0; end = this.length; }
    if (typeof value === 'string') {
      const bytes = encodeString(value, checkEncoding(encoding));
      if (bytes.length === 0) return super.fill(0, offset, end);
      for (let i = offset, j = 0; i < end; i++, j = (j + 1) % bytes.length) this[i] = bytes[j];
      return this;
    }
    if (value instanceof Uint8Array) { for (let i = offset, j = 0; i < end; i++, j = (j + 1) % value.length) this[i] = value[j]; return this; }
    return super.fill(Number(value) & 255, offset, end);
  }
  indexOf(value, byteOffset = 0, encoding) {
    if (typeof value === 'number') return super.indexOf(value & 255, byteOffset);
    const needle = typeof value === 'string' ? encodeString(value, checkEncoding(encoding)) : value;
    if (byteOffset < 0) byteOffset = Math.max(0, this.length + byteOffset);
    outer: for (let i = byteOffset; i <= this.length - needle.length; i++) {
      for (let j = 0; j < needle.length; j++) if (this[i + j] !== needle[j]) continue outer;
      return i;
    }
    return -1;
  }
  includes(value, byteOffset, encoding) { return this.indexOf(value, byteOffset, encoding) !== -1; }
  copy(target, targetStart = 0, sourceStart = 0, sourceEnd = this.length) {
    const chunk = this.subarray(sourceStart, Math.min(sourceEnd, sourceStart + target.length - targetStart));
    target.set(chunk, targetStart);
    return chunk.length;
  }
  slice(start, end) { return this.subarray(start, end); }
  swap16() { for (let i = 0; i + 1 < this.length; i += 2) { const t = this[i]; this[i] = this[i + 1]; this[i + 1] = t; } return this; }
  inspect() { let s = ''; const max = Math.min(this.length, 50); for (let i = 0; i < max; i++) s += ' ' + (this[i] < 16 ? '0' : '') + this[i].toString(16); return '<Buffer' + s + (this.length > 50 ? ' ... ' + (this.length - 50) + ' more bytes' : '') + '>'; }
  [Symbol.for('nodejs.util.inspect.custom')]() { return this.inspect(); }
}
function checkSize(size) {
  if (typeof size !== 'number' || size < 0 || size !== size) throw new RangeError('The argument \'size\' is invalid. Received ' + size);
  return size;
}
function fromBytes(bytes) { return new Buffer(bytes.buffer, bytes.byteOffset, bytes.byteLength); }
const numberAccessors = [
  ['UInt8', 'Uint8', 1], ['Int8', 'Int8', 1], ['UInt16', 'Uint16', 2], ['Int16', 'Int16', 2],
  ['UInt32', 'Uint32', 4], ['Int32', 'Int32', 4], ['Float', 'Float32', 4], ['Double', 'Float64', 8],
  ['BigUInt64', 'BigUint64', 8], ['BigInt64', 'BigInt64', 8],
];
for (const [name, view, size] of numberAccessors) {
  for (const endian of size === 1 ? [''] : ['LE', 'BE']) {
    const little = endian === 'LE';
    const read = function (offset = 0) {
      if (offset < 0 || offset + size > this.length) { const err = new RangeError('The value of "offset" is out of range. It must be >= 0 and <= ' + (this.length - size) + '. Received ' + offset); err.code = 'ERR_OUT_OF_RANGE'; throw err; }
      return new DataView(this.buffer, this.byteOffset, this.byteLength)['get' + view](offset, little);
    };
    const write = function (value, offset = 0) {
      if (offset < 0 || offset + size > this.length) { const err = new RangeError('The value of "offset" is out of range. It must be >= 0 and <= ' + (this.length - size) + '. Received ' + offset); err.code = 'ERR_OUT_OF_RANGE'; throw err; }
      new DataView(this.buffer, this.byteOffset, this.byteLength)['set' + view](offset, value, little);
      return offset + size;
    };
    Buffer.prototype['read' + name + endian] = read;
    Buffer.prototype['write' + name + endian] = write;
    if (name.startsWith('UInt') || name.startsWith('BigUInt')) {
      const alias = name.replace('UInt', 'Uint');
      Buffer.prototype['read' + alias + endian] = read;
      Buffer.prototype['write' + alias + endian] = write;
    }
  }
}

class TextEncoder {
  get encoding() { return 'utf-8'; }
  encode(input = '') { return new Uint8Array(utf8Encode(String(input))); }
  encodeInto(source, destination) {
    const bytes = new Uint8Array(utf8Encode(String(source)));
    let written = bytes.length;
    let read = source.length;
    if (written > destination.length) {
      // Re-encode the longest prefix of whole characters that fits.
      let lo = 0; let hi = source.length;
      while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (utf8Encode(source.slice(0, mid)).byteLength <= destination.length) lo = mid; else hi = mid - 1; }
      read = lo;
      const prefix = new Uint8Array(utf8Encode(source.slice(0, lo)));
      written = prefix.length;
      destination.set(prefix);
    } else destination.set(bytes);
    return { read, written };
  }
}
class TextDecoder {
  constructor(label = 'utf-8', options = {}) {
    const enc = String(label).toLowerCase();
    if (enc !== 'utf-8' && enc !== 'utf8' && enc !== 'unicode-1-1-utf-8') { const err = new RangeError('The "' + label + '" encoding is not supported'); err.code = 'ERR_ENCODING_NOT_SUPPORTED'; throw err; }
    this.fatal = !!options.fatal; this.ignoreBOM = !!options.ignoreBOM;
  }
  get encoding() { return 'utf-8'; }
  decode(input) {
    if (input === undefined) return '';
    const bytes = input instanceof ArrayBuffer ? new Uint8Array(input) : new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
    let text = utf8Decode(bytes);
    if (!this.ignoreBOM && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    return text;
  }
}
function btoa(data) {
  data = String(data);
  for (let i = 0; i < data.length; i++) if (data.charCodeAt(i) > 255) { const err = new Error('Invalid character'); err.name = 'InvalidCharacterError'; throw err; }
  return decodeBytes(encodeString(data, 'latin1'), 'base64');
}
function atob(data) { return decodeBytes(encodeString(String(data).replace(/[\t\n\f\r ]/g, ''), 'base64'), 'latin1'); }

module.exports = { Buffer, TextEncoder, TextDecoder, atob, btoa, constants: { MAX_LENGTH: 2 ** 31 - 1, MAX_STRING_LENGTH: 2 ** 29 - 24 }, kMaxLength: 2 ** 31 - 1 };
})`;
