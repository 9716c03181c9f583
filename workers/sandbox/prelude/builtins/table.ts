// console.table, as Node renders it (centered cells, box-drawing frame).
export const TABLE_BUILTIN = String.raw`(function (module, internal, require) {
'use strict';
const { inspect, types } = require('internal/inspect');
const { isMap, isSet } = types;
const { isError } = require('internal/inspect');
const hasOwn = Object.prototype.hasOwnProperty;
const ObjectKeys = Object.keys;
function formatTable(data, properties) {
  if (data === null || typeof data !== 'object') return internal.formatArgs([data]);
  const cell = (v) => inspect(v, { depth: 1, maxArrayLength: 3, breakLength: Infinity, colors: false });
  const indexKey = '(index)';
  const valuesKey = 'Values';
  const rowKeys = [];
  const columns = new Map();
  const values = [];
  let hasValues = false;
  const addColumn = (name) => { if (!columns.has(name)) columns.set(name, []); };
  let entries;
  if (isMap(data)) { entries = []; let i = 0; for (const [k, v] of data) entries.push([i++, v, k]); }
  else if (isSet(data)) { entries = []; let i = 0; for (const v of data) entries.push([i++, v]); }
  else entries = ObjectKeys(data).map((k) => [k, data[k]]);
  const mapMode = isMap(data);
  const iterMode = mapMode || isSet(data);
  for (let r = 0; r < entries.length; r++) {
    const [key, value, mapKey] = entries[r];
    rowKeys.push(String(key));
    const row = new Map();
    if (mapMode) row.set('Key', cell(mapKey));
    if (value !== null && typeof value === 'object' && !isError(value)) {
      const keys = properties || ObjectKeys(value);
      for (const k of keys) { if (properties || hasOwn.call(value, k)) { addColumn(k); row.set(k, hasOwn.call(value, k) ? cell(value[k]) : ''); } }
      values.push('');
    } else {
      hasValues = true;
      values.push(cell(value));
    }
    for (const [k, v] of row) { if (!columns.has(k)) columns.set(k, []); columns.get(k)[r] = v; }
  }
  if (properties) for (const k of properties) addColumn(k);
  const header = [iterMode ? '(iteration index)' : indexKey];
  const cols = [rowKeys];
  if (mapMode) { header.push('Key'); cols.push(rowKeys.map((_, r) => (columns.get('Key') || [])[r] || '')); columns.delete('Key'); }
  for (const [name, col] of columns) { header.push(name); cols.push(rowKeys.map((_, r) => col[r] === undefined ? '' : col[r])); }
  if (hasValues) { header.push(valuesKey); cols.push(values); }
  const widths = header.map((h, c) => Math.max(h.length, ...cols[c].map((v) => v.length)) + 2);
  const renderRow = (cells) => {
    let out = '│';
    for (let c = 0; c < cells.length; c++) {
      const len = cells[c].length;
      const needed = (widths[c] - len) / 2;
      out += ' '.repeat(Math.floor(needed)) + cells[c] + ' '.repeat(Math.ceil(needed));
      if (c !== cells.length - 1) out += '│';
    }
    return out + '│';
  };
  const divider = widths.map((w) => '─'.repeat(w));
  let result = '┌' + divider.join('┬') + '┐\n' + renderRow(header) + '\n' + '├' + divider.join('┼') + '┤\n';
  for (let r = 0; r < rowKeys.length; r++) result += renderRow(cols.map((col) => col[r])) + '\n';
  result += '└' + divider.join('┴') + '┘';
  return result;
}

module.exports = formatTable;
})`;
