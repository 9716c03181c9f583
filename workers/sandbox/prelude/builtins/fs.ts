// `fs` and `fs/promises`: stdin (fd 0, /dev/stdin), stdout/stderr (fd 1/2, /dev/stdout, /dev/stderr),
// the program's own files (read-only originals) and an in-memory overlay for files it writes.
export const FS_BUILTIN = String.raw`(function (module, internal, require) {
'use strict';
const { config, stdin: stdinState, writeFd, enqueueIo } = internal;
const files = new Map(Object.entries(config.files));
const directories = new Set(['/', config.cwd, '/tmp', '/dev']);
for (const path of files.keys()) for (let d = path.slice(0, path.lastIndexOf('/')); d; d = d.slice(0, d.lastIndexOf('/'))) directories.add(d);
let stdinBytes = null;
let stdinByteOffset = 0;

function Buffer() { return require('buffer').Buffer; }
function normalize(path) { return require('path').resolve(config.cwd, path); }
function fsError(code, errno, syscall, path, description) {
  const err = new Error(code + ': ' + description + ', ' + syscall + (path !== undefined ? " '" + path + "'" : ''));
  err.errno = errno; err.code = code; err.syscall = syscall;
  if (path !== undefined) err.path = path;
  return err;
}
const enoent = (syscall, path) => fsError('ENOENT', -2, syscall, path, 'no such file or directory');
const eisdir = (syscall, path) => fsError('EISDIR', -21, syscall, path, 'illegal operation on a directory');
function pathOf(path) {
  if (typeof path === 'number') return path;
  if (path && typeof path === 'object' && typeof path.href === 'string' && typeof path.pathname === 'string') return path.pathname;
  if (path instanceof Uint8Array) return Buffer().from(path).toString();
  if (typeof path !== 'string') throw new TypeError('The "path" argument must be of type string or an instance of Buffer or URL. Received ' + require('internal/inspect').describeType(path));
  return path;
}
function encodingOf(options) {
  if (typeof options === 'string') return options;
  if (options && typeof options === 'object' && options.encoding) return options.encoding;
  return null;
}
function stdinRemainingText() {
  if (stdinBytes !== null) {
    const rest = stdinBytes.subarray(stdinByteOffset);
    stdinByteOffset = stdinBytes.length;
    return Buffer().from(rest).toString('utf8');
  }
  const text = stdinState.text.slice(stdinState.offset);
  stdinState.offset = stdinState.text.length;
  return text;
}
function isStdin(p) { return p === 0 || p === '/dev/stdin' || p === '/proc/self/fd/0' || p === '/dev/fd/0'; }
function isStdout(p) { return p === 1 || p === '/dev/stdout' || p === '/proc/self/fd/1' || p === '/dev/fd/1'; }
function isStderr(p) { return p === 2 || p === '/dev/stderr' || p === '/proc/self/fd/2' || p === '/dev/fd/2'; }
function dataToString(data, encoding) {
  if (typeof data === 'string') return data;
  if (data instanceof Uint8Array) return Buffer().from(data.buffer, data.byteOffset, data.byteLength).toString(encoding || 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer().from(data.buffer, data.byteOffset, data.byteLength).toString('utf8');
  throw new TypeError('The "data" argument must be of type string or an instance of Buffer, TypedArray, or DataView. Received ' + require('internal/inspect').describeType(data));
}
const openFds = new Map();
let nextFd = 3;

function readFileSync(path, options) {
  path = pathOf(path);
  if (typeof path === 'number' && openFds.has(path)) path = openFds.get(path).path;
  const encoding = encodingOf(options);
  let text;
  if (isStdin(typeof path === 'string' ? normalize(path) : path)) text = stdinRemainingText();
  else if (typeof path === 'number') {
    if (path === 1 || path === 2) throw fsError('EAGAIN', -11, 'read', undefined, 'resource temporarily unavailable');
    throw fsError('EBADF', -9, 'read', undefined, 'bad file descriptor');
  } else {
    const full = normalize(path);
    if (directories.has(full)) throw eisdir('read', undefined);
    if (!files.has(full)) throw enoent('open', path);
    text = files.get(full);
  }
  if (encoding) return encoding === 'utf8' || encoding === 'utf-8' ? text : Buffer().from(text).toString(encoding);
  return Buffer().from(text, 'utf8');
}
function writeFileSync(path, data, options) {
  path = pathOf(path);
  if (typeof path === 'number' && openFds.has(path)) path = openFds.get(path).path;
  const target = typeof path === 'string' ? normalize(path) : path;
  const text = dataToString(data, encodingOf(options));
  if (isStdout(target)) { writeFd(1, text); return; }
  if (isStderr(target)) { writeFd(2, text); return; }
  if (typeof target === 'number') throw fsError('EBADF', -9, 'write', undefined, 'bad file descriptor');
  const flag = options && typeof options === 'object' ? options.flag : undefined;
  const dir = target.slice(0, target.lastIndexOf('/')) || '/';
  if (!directories.has(dir)) throw enoent('open', path);
  files.set(target, flag === 'a' || flag === 'a+' ? (files.get(target) || '') + text : text);
}
function appendFileSync(path, data, options) {
  path = pathOf(path);
  const target = typeof path === 'string' ? normalize(path) : path;
  if (isStdout(target) || isStderr(target) || typeof target === 'number') return writeFileSync(path, data, options);
  files.set(target, (files.get(target) || '') + dataToString(data, encodingOf(options)));
}
function writeSync(fd, data, offsetOrPosition, lengthOrEncoding, position) {
  let text;
  if (typeof data === 'string') text = data;
  else {
    const offset = typeof offsetOrPosition === 'number' ? offsetOrPosition : 0;
    const length = typeof lengthOrEncoding === 'number' ? lengthOrEncoding : data.byteLength - offset;
    text = Buffer().from(data.buffer, data.byteOffset + offset, length).toString('utf8');
  }
  if (openFds.has(fd)) { appendFileSync(openFds.get(fd).path, text); return text.length; }
  if (fd === 1 || fd === 2) { writeFd(fd, text); return typeof data === 'string' ? Buffer().byteLength(data) : text.length; }
  throw fsError('EBADF', -9, 'write', undefined, 'bad file descriptor');
}
function readSync(fd, buffer, offsetOrOptions, length, position) {
  let offset = offsetOrOptions;
  if (offsetOrOptions && typeof offsetOrOptions === 'object') { offset = offsetOrOptions.offset || 0; length = offsetOrOptions.length; }
  offset = offset || 0;
  if (length === undefined) length = buffer.byteLength - offset;
  if (fd === 0) {
    if (stdinBytes === null) { stdinBytes = Buffer().from(stdinState.text.slice(stdinState.offset), 'utf8'); stdinState.offset = stdinState.text.length; stdinByteOffset = 0; }
    const n = Math.min(length, stdinBytes.length - stdinByteOffset);
    new Uint8Array(buffer.buffer, buffer.byteOffset + offset, n).set(stdinBytes.subarray(stdinByteOffset, stdinByteOffset + n));
    stdinByteOffset += n;
    return n;
  }
  if (openFds.has(fd)) {
    const entry = openFds.get(fd);
    const bytes = Buffer().from(files.get(entry.path) || '', 'utf8');
    const start = typeof position === 'number' ? position : entry.position;
    const n = Math.max(0, Math.min(length, bytes.length - start));
    new Uint8Array(buffer.buffer, buffer.byteOffset + offset, n).set(bytes.subarray(start, start + n));
    if (typeof position !== 'number') entry.position += n;
    return n;
  }
  throw fsError('EBADF', -9, 'read', undefined, 'bad file descriptor');
}
function openSync(path, flags = 'r') {
  path = pathOf(path);
  const full = normalize(path);
  if (isStdin(full)) return 0;
  if (isStdout(full)) return 1;
  if (isStderr(full)) return 2;
  if (String(flags).startsWith('r') && !files.has(full)) throw enoent('open', path);
  if (String(flags).startsWith('w')) files.set(full, '');
  else if (!files.has(full)) files.set(full, '');
  const fd = nextFd++;
  openFds.set(fd, { path: full, position: 0 });
  return fd;
}
function closeSync(fd) { openFds.delete(fd); }
function existsSync(path) {
  try { path = pathOf(path); } catch (e) { return false; }
  if (typeof path !== 'string') return false;
  const full = normalize(path);
  return files.has(full) || directories.has(full) || isStdin(full) || isStdout(full) || isStderr(full);
}
function makeStats(full) {
  const isFile = files.has(full) || isStdin(full);
  const isDir = directories.has(full);
  if (!isFile && !isDir) throw enoent('stat', full);
  const size = isFile && files.has(full) ? Buffer().byteLength(files.get(full)) : 0;
  const epoch = new Date(config.startEpochMs);
  return {
    size, mode: isDir ? 0o40755 : 0o100644, uid: 1000, gid: 1000, nlink: 1, dev: 1, ino: 0, rdev: 0, blksize: 4096, blocks: Math.ceil(size / 512),
    atime: epoch, mtime: epoch, ctime: epoch, birthtime: epoch, atimeMs: config.startEpochMs, mtimeMs: config.startEpochMs, ctimeMs: config.startEpochMs, birthtimeMs: config.startEpochMs,
    isFile: () => isFile, isDirectory: () => isDir, isSymbolicLink: () => false, isFIFO: () => false, isSocket: () => false, isBlockDevice: () => false, isCharacterDevice: () => false,
  };
}
function statSync(path, options) {
  try { return makeStats(normalize(pathOf(path))); }
  catch (err) { if (options && options.throwIfNoEntry === false) return undefined; throw err; }
}
function fstatSync(fd) { return fd === 0 ? makeStats('/dev/stdin') : openFds.has(fd) ? makeStats(openFds.get(fd).path) : makeStats('/dev'); }
function readdirSync(path, options) {
  const full = normalize(pathOf(path));
  if (!directories.has(full)) throw enoent('scandir', path);
  const prefix = full === '/' ? '/' : full + '/';
  const names = new Set();
  for (const p of [...files.keys(), ...directories]) {
    if (p.startsWith(prefix) && p !== full) names.add(p.slice(prefix.length).split('/')[0]);
  }
  const sorted = [...names].sort();
  if (options && typeof options === 'object' && options.withFileTypes) {
    return sorted.map((name) => { const isDir = directories.has(prefix + name); return { name, parentPath: full, path: full, isFile: () => !isDir, isDirectory: () => isDir, isSymbolicLink: () => false }; });
  }
  return sorted;
}
function mkdirSync(path, options) {
  const full = normalize(pathOf(path));
  if (options && options.recursive) { for (let d = full; d && d !== '/'; d = d.slice(0, d.lastIndexOf('/')) || '/') directories.add(d); return full; }
  if (directories.has(full) || files.has(full)) throw fsError('EEXIST', -17, 'mkdir', path, 'file already exists');
  directories.add(full);
  return undefined;
}
function unlinkSync(path) { const full = normalize(pathOf(path)); if (!files.delete(full)) throw enoent('unlink', path); }
function rmSync(path, options) { const full = normalize(pathOf(path)); if (!files.delete(full) && !directories.delete(full) && !(options && options.force)) throw enoent('rm', path); }
function renameSync(from, to) { const a = normalize(pathOf(from)); if (!files.has(a)) throw enoent('rename', from); files.set(normalize(pathOf(to)), files.get(a)); files.delete(a); }
function copyFileSync(from, to) { const a = normalize(pathOf(from)); if (!files.has(a)) throw enoent('copyfile', from); files.set(normalize(pathOf(to)), files.get(a)); }
function accessSync(path) { if (!existsSync(path)) throw enoent('access', pathOf(path)); }
function realpathSync(path) { const full = normalize(pathOf(path)); if (!existsSync(full)) throw enoent('realpath', path); return full; }
realpathSync.native = realpathSync;

// Callback and promise flavours run the sync version and report asynchronously.
function callbackify(fn) {
  return function (...args) {
    const callback = typeof args[args.length - 1] === 'function' ? args.pop() : undefined;
    let result; let error = null;
    try { result = fn(...args); } catch (err) { error = err; }
    if (callback) enqueueIo(() => (error ? callback(error) : callback(null, result)));
    else if (error) throw error;
  };
}
function promisified(fn) { return (...args) => new Promise((resolve, reject) => { enqueueIo(() => { try { resolve(fn(...args)); } catch (err) { reject(err); } }); }); }

function createReadStream(path, options) {
  const fd = options && typeof options === 'object' && options.fd !== undefined ? options.fd : path;
  if (isStdin(typeof fd === 'string' ? normalize(fd) : fd)) return internal.process.stdin;
  const stream = new (require('events'))();
  const encoding = encodingOf(options);
  let started = false;
  const start = () => {
    if (started) return; started = true;
    enqueueIo(() => {
      let data;
      try { data = readFileSync(path, encoding ? { encoding } : undefined); }
      catch (err) { stream.emit('error', err); return; }
      stream.emit('open', 3); stream.emit('ready');
      if (data.length) stream.emit('data', data);
      stream.emit('end'); stream.emit('close');
    });
  };
  const on = stream.on;
  stream.on = stream.addListener = function (name, listener) { on.call(stream, name, listener); if (name === 'data' || name === 'end' || name === 'readable') start(); return stream; };
  stream.setEncoding = () => stream;
  stream.pipe = (destination) => { stream.on('data', (chunk) => destination.write(chunk)); return destination; };
  stream.resume = () => { start(); return stream; };
  stream.pause = () => stream;
  return stream;
}
function createWriteStream(path, options) {
  const fd = options && typeof options === 'object' && options.fd !== undefined ? options.fd : path;
  const target = typeof fd === 'string' ? normalize(fd) : fd;
  if (isStdout(target)) return internal.process.stdout;
  if (isStderr(target)) return internal.process.stderr;
  if (!(options && options.flags && String(options.flags).startsWith('a'))) files.set(target, '');
  const stream = new (require('events'))();
  stream.write = (chunk, encoding, callback) => { appendFileSync(target, chunk); const cb = [encoding, callback].find((x) => typeof x === 'function'); if (cb) internal.enqueueTick(cb); return true; };
  stream.end = (chunk, encoding, callback) => { if (chunk !== undefined && typeof chunk !== 'function') stream.write(chunk); const cb = [chunk, encoding, callback].find((x) => typeof x === 'function'); enqueueIo(() => { stream.emit('finish'); stream.emit('close'); if (cb) cb(); }); return stream; };
  return stream;
}

const syncApi = { readFileSync, writeFileSync, appendFileSync, existsSync, statSync, lstatSync: statSync, fstatSync, readdirSync, mkdirSync, unlinkSync, rmSync, rmdirSync: rmSync, renameSync, copyFileSync, accessSync, realpathSync, openSync, closeSync, readSync, writeSync, fsyncSync() {}, fdatasyncSync() {}, chmodSync() {}, chownSync() {}, utimesSync() {} };
const fs = Object.assign({}, syncApi);
for (const [name, fn] of Object.entries(syncApi)) {
  if (name === 'existsSync') continue;
  fs[name.slice(0, -4)] = callbackify(fn);
}
fs.exists = (path, callback) => { const result = existsSync(path); enqueueIo(() => callback(result)); };
fs.createReadStream = createReadStream;
fs.createWriteStream = createWriteStream;
fs.constants = { F_OK: 0, R_OK: 4, W_OK: 2, X_OK: 1, O_RDONLY: 0, O_WRONLY: 1, O_RDWR: 2, O_CREAT: 64, O_EXCL: 128, O_TRUNC: 512, O_APPEND: 1024 };
Object.assign(fs, fs.constants);
const promises = {};
for (const name of ['readFile', 'writeFile', 'appendFile', 'stat', 'lstat', 'readdir', 'mkdir', 'unlink', 'rm', 'rmdir', 'rename', 'copyFile', 'access', 'realpath']) {
  promises[name] = promisified(syncApi[name + 'Sync']);
}
promises.constants = fs.constants;
fs.promises = promises;
module.exports = fs;
})`;
