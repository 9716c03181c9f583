// edgebox live dashboard: polls GET /v1/metrics (and GET /v1/capacity when the deployment has it)
// and draws it with small inline-SVG charts. Plain browser JavaScript, nothing external.
// Every number is also real text: the KPI cards, the legends and each chart's "Data" table.
"use strict";

(() => {
  const params = new URLSearchParams(location.search);
  const clamp = (value, min, max) => Math.min(max, Math.max(min, value));
  /** Seconds between polls (?interval=, 1–300, default 5). */
  const POLL_MS = clamp(Number(params.get("interval")) || 5, 1, 300) * 1000;
  /** Window of the metrics (?minutes=, 1–2880, default 15). */
  const MINUTES = Math.round(clamp(Number(params.get("minutes")) || 15, 1, 2880));
  const CAPACITY_EVERY_MS = 60_000;
  const QUEUE_SAMPLES = 60;
  const SECRET_KEY = "edgebox.adminSecret";
  const MINUTE = 60_000;
  const HOUR = 60 * MINUTE;
  const SVG = "http://www.w3.org/2000/svg";

  const $ = (id) => document.getElementById(id);
  const state = {
    metrics: null,
    receivedAt: 0,
    capacity: { status: "pending" },
    capacityAt: -Infinity,
    queueHistory: [],
    waitingForSecret: false,
    timer: undefined,
    inFlight: false,
  };

  // ---------- formatting ----------

  const isNum = (value) => typeof value === "number" && Number.isFinite(value);
  const fmtInt = (value) => (isNum(value) ? Math.round(value).toLocaleString("en-US") : "—");
  function fmtRate(value) {
    if (!isNum(value)) return "—";
    if (value === 0) return "0";
    if (Math.abs(value) < 10) return value.toFixed(2);
    if (Math.abs(value) < 100) return value.toFixed(1);
    return Math.round(value).toLocaleString("en-US");
  }
  function fmtMs(value) {
    if (!isNum(value)) return "—";
    if (value === 0) return "0";
    if (value < 1) return value.toFixed(2);
    if (value < 100) return value.toFixed(1);
    return Math.round(value).toLocaleString("en-US");
  }
  function fmtPct(ratio) {
    if (!isNum(ratio)) return "—";
    const pct = ratio * 100;
    if (pct === 0) return "0 %";
    return `${pct < 1 ? pct.toFixed(2) : pct < 10 ? pct.toFixed(1) : Math.round(pct)} %`;
  }
  /** Axis labels: at most 3 significant digits, no trailing zeros (0.25, 1, 2.5, 150). */
  const fmtAxis = (value) => (value >= 1000 ? Math.round(value).toLocaleString("en-US") : String(Number(value.toPrecision(3))));
  const pad = (n) => String(n).padStart(2, "0");
  function fmtTime(ms, seconds = false) {
    const d = new Date(ms);
    return `${pad(d.getHours())}:${pad(d.getMinutes())}${seconds ? `:${pad(d.getSeconds())}` : ""}`;
  }

  /** Sets a number's text and its raw value (data-value, for tests and scripts). */
  function setNumber(el, value, text) {
    el.textContent = text;
    el.dataset.value = isNum(value) ? String(value) : "";
  }

  function el(tag, attrs = {}, children = []) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs)) {
      if (name === "text") node.textContent = value;
      else if (name === "class") node.className = value;
      else node.setAttribute(name, value);
    }
    for (const child of children) if (child) node.append(child);
    return node;
  }
  function svg(tag, attrs = {}, parent) {
    const node = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attrs)) {
      if (name === "text") node.textContent = value;
      else node.setAttribute(name, String(value));
    }
    if (parent) parent.append(node);
    return node;
  }

  // ---------- status and notices ----------

  function setStatus(kind, text) {
    const status = $("status");
    status.dataset.state = kind;
    status.textContent = text;
  }
  function notice(text, level = "warn") {
    const box = $("notice");
    if (!text) {
      box.hidden = true;
      box.textContent = "";
      return;
    }
    box.hidden = false;
    box.dataset.level = level;
    box.textContent = text;
  }

  // ---------- API access (admin secret on 401) ----------

  async function api(path) {
    const headers = { accept: "application/json" };
    const secret = sessionStorage.getItem(SECRET_KEY);
    if (secret) headers.authorization = `Bearer ${secret}`;
    let response;
    try {
      response = await fetch(path, { headers, cache: "no-store" });
    } catch (error) {
      return { ok: false, status: 0, message: `cannot reach the service (${error && error.message ? error.message : error})` };
    }
    let body = null;
    try {
      body = await response.json();
    } catch {
      body = null;
    }
    if (response.ok && body) return { ok: true, status: response.status, data: body };
    const message = (body && (body.message || (body.error && body.error.message))) || `HTTP ${response.status}`;
    return { ok: false, status: response.status, message, sentSecret: Boolean(secret) };
  }

  /** A 401 (no secret) or a 403 for a secret we sent: ask for the secret and stop polling until then. */
  function needsSecret(result) {
    return result.status === 401 || (result.status === 403 && result.sentSecret);
  }
  function askForSecret(result) {
    const rejected = result.sentSecret;
    if (rejected) sessionStorage.removeItem(SECRET_KEY);
    state.waitingForSecret = true;
    $("auth-message").textContent = rejected
      ? `That secret was not accepted (${result.message}). Enter the admin secret (ADMIN_SECRET) again.`
      : "This deployment serves its metrics only to operators. Enter the admin secret (ADMIN_SECRET); it is kept in this tab only (sessionStorage) and sent as a Bearer token.";
    $("auth").hidden = false;
    setStatus("auth", "Waiting for the admin secret");
    $("auth-secret").focus();
  }
  $("auth").addEventListener("submit", (event) => {
    event.preventDefault();
    const secret = $("auth-secret").value.trim();
    if (!secret) return;
    sessionStorage.setItem(SECRET_KEY, secret);
    $("auth-secret").value = "";
    $("auth").hidden = true;
    state.waitingForSecret = false;
    state.capacityAt = -Infinity;
    setStatus("loading", "Loading metrics…");
    poll();
  });

  // ---------- polling ----------

  async function poll() {
    clearTimeout(state.timer);
    if (state.waitingForSecret || state.inFlight) return;
    state.inFlight = true;
    try {
      const result = await api(`/v1/metrics?minutes=${MINUTES}`);
      if (result.ok) {
        state.metrics = result.data;
        state.receivedAt = Date.now();
        pushQueueSample(result.data);
        notice(null);
        setStatus("live", `Live · updated ${fmtTime(state.receivedAt, true)} · every ${POLL_MS / 1000} s · last ${MINUTES} min`);
        if (Date.now() - state.capacityAt >= CAPACITY_EVERY_MS) await refreshCapacity();
        render();
      } else if (needsSecret(result)) {
        askForSecret(result);
        return;
      } else {
        const age = state.metrics ? ` · showing data from ${fmtTime(state.receivedAt, true)}` : "";
        if (result.status === 404) {
          notice("This server has no GET /v1/metrics (404): the metrics endpoint is not deployed here. Retrying.", "error");
        } else if (result.status === 403) {
          notice(`The metrics are not available: ${result.message}`, "error");
        } else {
          notice(`Metrics unavailable: ${result.message}. Retrying every ${POLL_MS / 1000} s.`, result.status === 0 ? "error" : "warn");
        }
        setStatus(state.metrics ? "stale" : "error", `No fresh data${age}`);
      }
    } finally {
      state.inFlight = false;
    }
    state.timer = setTimeout(poll, document.hidden ? Math.max(POLL_MS, 30_000) : POLL_MS);
  }
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden && !state.waitingForSecret) poll();
  });

  async function refreshCapacity() {
    state.capacityAt = Date.now();
    const result = await api("/v1/capacity?hours=6");
    if (result.ok) state.capacity = { status: "ok", plan: result.data };
    else if (result.status === 404) state.capacity = { status: "missing", message: "No capacity forecast on this server (GET /v1/capacity answered 404)." };
    else if (needsSecret(result)) state.capacity = { status: "error", message: "The capacity forecast needs the admin secret." };
    else state.capacity = { status: "error", message: `Capacity forecast unavailable: ${result.message}.` };
  }

  function pushQueueSample(metrics) {
    const queues = metrics.queues || {};
    state.queueHistory.push({
      t: Date.parse(metrics.window && metrics.window.to) || Date.now(),
      interactive: queues.interactive ? queues.interactive.depth : null,
      batch: queues.batch ? queues.batch.depth : null,
    });
    if (state.queueHistory.length > QUEUE_SAMPLES) state.queueHistory.splice(0, state.queueHistory.length - QUEUE_SAMPLES);
  }

  // ---------- derived numbers ----------

  /** Per-minute points with the seconds each covers (the current minute is partial). */
  function minutes(metrics) {
    const to = Date.parse(metrics.window.to);
    return (metrics.series || []).map((point) => {
      const t = Date.parse(point.minute);
      return { ...point, t, seconds: clamp((to - t) / 1000, 0, 60) };
    });
  }
  /** Requests/s of a minute; null for a minute only a few seconds old (too noisy). */
  const minuteRate = (point) => (point.seconds >= 5 ? point.requests / point.seconds : null);
  /** Request rate over the last complete minute and the current one. */
  function rateNow(points) {
    const recent = points.slice(-2);
    const seconds = recent.reduce((sum, point) => sum + point.seconds, 0);
    if (seconds < 1) return null;
    return recent.reduce((sum, point) => sum + point.requests, 0) / seconds;
  }

  // ---------- charts ----------

  function niceStep(range, count) {
    const raw = range / Math.max(1, count);
    const power = 10 ** Math.floor(Math.log10(raw));
    const fraction = raw / power;
    return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 2.5 ? 2.5 : fraction <= 5 ? 5 : 10) * power;
  }
  const TIME_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440].map((m) => m * MINUTE);

  /**
   * A line chart into `host`: `series` [{ cls, label, points: [[t, v|null]], step?: ms }], optional
   * `band` { cls, points: [[t, low, high]], step }, x from `x0` to `x1`, y from 0.
   */
  function lineChart(host, spec) {
    host.replaceChildren();
    const keyed = spec.series.length > 1 || spec.band;
    if (keyed) {
      const key = el("ul", { class: "key" });
      for (const s of spec.series) key.append(el("li", { class: `k-${s.cls}`, text: s.keyText || s.label }));
      host.append(key);
    }
    const width = Math.max(200, host.clientWidth || 360);
    const height = Math.max(80, (host.clientHeight || 190) - (host.firstChild ? host.firstChild.offsetHeight + 4 : 0));
    const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": spec.label, preserveAspectRatio: "none" });
    host.append(root);

    const values = [];
    for (const s of spec.series) for (const [, v] of s.points) if (isNum(v)) values.push(v);
    if (spec.band) for (const [, , high] of spec.band.points) if (isNum(high)) values.push(high);
    const top0 = Math.max(spec.yFloor || 1, ...values);
    const step = niceStep(top0, 4);
    const top = Math.ceil(top0 / step) * step || step;
    const yFmt = spec.yFmt || fmtAxis;
    const left = 8 + 7 * Math.max(...[0, step, top].map((v) => yFmt(v).length));
    const m = { l: left, r: 10, t: 8, b: 20 };
    const x0 = spec.x0, x1 = Math.max(spec.x1, spec.x0 + 1);
    const X = (t) => m.l + ((clamp(t, x0, x1) - x0) / (x1 - x0)) * (width - m.l - m.r);
    const Y = (v) => height - m.b - (v / top) * (height - m.t - m.b);

    const grid = svg("g", { class: "grid" }, root);
    const ticks = svg("g", { class: "tick" }, root);
    for (let v = 0; v <= top + step / 2; v += step) {
      svg("line", { x1: m.l, x2: width - m.r, y1: Y(v), y2: Y(v) }, grid);
      svg("text", { x: m.l - 6, y: Y(v) + 4, "text-anchor": "end", text: yFmt(v) }, ticks);
    }
    const maxTicks = Math.max(2, Math.floor((width - m.l - m.r) / 70));
    const timeStep = TIME_STEPS.find((s) => (x1 - x0) / s <= maxTicks) || TIME_STEPS[TIME_STEPS.length - 1];
    const offset = new Date(x0).getTimezoneOffset() * MINUTE;
    for (let t = Math.ceil((x0 - offset) / timeStep) * timeStep + offset; t <= x1; t += timeStep) {
      svg("text", { x: X(t), y: height - 4, "text-anchor": "middle", text: fmtTime(t) }, ticks);
    }
    if (isNum(spec.now) && spec.now > x0 && spec.now < x1) {
      svg("line", { class: "now-line", x1: X(spec.now), x2: X(spec.now), y1: m.t, y2: height - m.b }, root);
    }

    if (spec.band && spec.band.points.length) {
      const upper = [], lower = [];
      for (const [t, low, high] of spec.band.points) {
        const ends = spec.band.step ? [t, t + spec.band.step] : [t];
        for (const e of ends) {
          if (e < x0 && !spec.band.step) continue;
          upper.push(`${X(e)},${Y(high)}`);
          lower.unshift(`${X(e)},${Y(low)}`);
        }
      }
      svg("polygon", { class: `band ${spec.band.cls}`, points: [...upper, ...lower].join(" ") }, root);
    }

    let drawn = 0;
    for (const s of spec.series) {
      let d = "";
      let pen = false;
      let last = null;
      for (const [t, v] of s.points) {
        if (!isNum(v)) {
          pen = false;
          continue;
        }
        if (t > x1 || (s.step ? t + s.step < x0 : t < x0)) continue;
        d += `${pen ? "L" : "M"}${X(t).toFixed(1)},${Y(v).toFixed(1)}`;
        if (s.step) d += `L${X(t + s.step).toFixed(1)},${Y(v).toFixed(1)}`;
        pen = true;
        last = [t, v];
        drawn += 1;
      }
      if (d) svg("path", { class: `series ${s.cls}`, d }, root);
      if (last && !s.step) svg("circle", { class: `dot ${s.cls}`, cx: X(last[0]), cy: Y(last[1]), r: 3.5 }, root);
    }
    if (!drawn) svg("text", { class: "empty-label", x: width / 2, y: height / 2, "text-anchor": "middle", text: spec.emptyText || "No requests in this window yet" }, root);
  }

  /** Stacked bars (one per sample) into `host`. */
  function barChart(host, spec) {
    host.replaceChildren();
    const key = el("ul", { class: "key" });
    for (const s of spec.series) key.append(el("li", { class: `k-${s.cls}`, text: s.keyText || s.label }));
    host.append(key);
    const width = Math.max(200, host.clientWidth || 360);
    const height = Math.max(80, (host.clientHeight || 190) - key.offsetHeight - 4);
    const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": spec.label, preserveAspectRatio: "none" });
    host.append(root);
    const totals = spec.samples.map((sample) => spec.series.reduce((sum, s) => sum + (isNum(sample[s.field]) ? sample[s.field] : 0), 0));
    const top0 = Math.max(spec.yFloor || 4, ...totals);
    const step = Math.max(1, niceStep(top0, 4));
    const top = Math.ceil(top0 / step) * step || step;
    const m = { l: 8 + 7 * Math.max(fmtInt(top).length, 1), r: 10, t: 8, b: 20 };
    const Y = (v) => height - m.b - (v / top) * (height - m.t - m.b);
    const grid = svg("g", { class: "grid" }, root);
    const ticks = svg("g", { class: "tick" }, root);
    for (let v = 0; v <= top + step / 2; v += step) {
      svg("line", { x1: m.l, x2: width - m.r, y1: Y(v), y2: Y(v) }, grid);
      svg("text", { x: m.l - 6, y: Y(v) + 4, "text-anchor": "end", text: fmtInt(v) }, ticks);
    }
    const slots = Math.max(spec.slots, spec.samples.length);
    const slot = (width - m.l - m.r) / slots;
    const barWidth = Math.max(1, slot * 0.7);
    spec.samples.forEach((sample, i) => {
      const x = m.l + (slots - spec.samples.length + i) * slot + (slot - barWidth) / 2;
      let base = 0;
      for (const s of spec.series) {
        const v = sample[s.field];
        if (!isNum(v) || v <= 0) continue;
        svg("rect", { class: `bar ${s.cls}`, x, y: Y(base + v), width: barWidth, height: Math.max(1, Y(base) - Y(base + v)) }, root);
        base += v;
      }
    });
    if (spec.samples.length) {
      const first = spec.samples[0].t;
      const last = spec.samples[spec.samples.length - 1].t;
      svg("text", { x: width - m.r, y: height - 4, "text-anchor": "end", text: fmtTime(last, true) }, ticks);
      if (spec.samples.length > 4) svg("text", { x: m.l + (slots - spec.samples.length) * slot, y: height - 4, "text-anchor": "start", text: fmtTime(first, true) }, ticks);
    }
  }

  function dataTable(figure, headers, rows) {
    const host = figure.querySelector("[data-table]");
    const table = el("table");
    const head = el("tr");
    headers.forEach((h, i) => head.append(el("th", { scope: "col", class: i ? "num" : "", text: h })));
    table.append(el("thead", {}, [head]));
    const body = el("tbody");
    for (const row of rows) {
      const tr = el("tr");
      row.forEach((cell, i) => tr.append(el(i ? "td" : "th", i ? { class: "num", text: cell } : { scope: "row", text: cell })));
      body.append(tr);
    }
    if (!rows.length) body.append(el("tr", {}, [el("td", { colspan: String(headers.length), text: "No data yet." })]));
    table.append(body);
    host.replaceChildren(el("div", { class: "table-wrap" }, [table]));
  }

  // ---------- rendering ----------

  function render() {
    const metrics = state.metrics;
    if (!metrics) return;
    const points = minutes(metrics);
    const x0 = Date.parse(metrics.window.from);
    const x1 = Date.parse(metrics.window.to);
    renderKpis(metrics, points);
    renderRate(points, x0, x1);
    renderLatency(points, x0, x1);
    renderErrors(points, x0, x1);
    renderCache(metrics, points, x0, x1);
    renderQueues();
    renderForecast(points, x0, x1);
    renderRegions(metrics.regions || []);
  }

  function renderKpis(metrics, points) {
    const requests = metrics.requests || {};
    const latency = metrics.latencyMs || {};
    const cache = metrics.cache || {};
    const queues = metrics.queues || {};
    const now = rateNow(points);
    setNumber($("kpi-rps-now"), now, fmtRate(now));
    setNumber($("kpi-total"), requests.total, fmtInt(requests.total));
    setNumber($("kpi-rps"), requests.rps, fmtRate(requests.rps));
    $("kpi-window").textContent = String(metrics.window.minutes);
    setNumber($("kpi-errors"), requests.errorRate, fmtPct(requests.errorRate));
    $("kpi-errors").parentElement.classList.toggle("b-bad", isNum(requests.errorRate) && requests.errorRate >= 0.05);
    setNumber($("kpi-p50"), latency.p50, fmtMs(latency.p50));
    setNumber($("kpi-p95"), latency.p95, fmtMs(latency.p95));
    setNumber($("kpi-p99"), latency.p99, fmtMs(latency.p99));
    setNumber($("kpi-cache"), cache.hitRatio, fmtPct(cache.hitRatio));
    const interactive = queues.interactive ? queues.interactive.depth : null;
    const batch = queues.batch ? queues.batch.depth : null;
    setNumber($("kpi-q-interactive"), interactive, isNum(interactive) ? fmtInt(interactive) : "?");
    setNumber($("kpi-q-batch"), batch, isNum(batch) ? fmtInt(batch) : "?");
  }

  function renderRate(points, x0, x1) {
    const figure = $("chart-rps");
    const rates = points.map((p) => [p.t, minuteRate(p)]);
    const latest = rates.filter(([, v]) => isNum(v)).pop();
    const peak = Math.max(0, ...rates.map(([, v]) => (isNum(v) ? v : 0)));
    lineChart(figure.querySelector("[data-chart]"), {
      x0, x1,
      series: [{ cls: "s-rps", label: "requests/s", points: rates }],
      label: `Request rate per minute over the last ${MINUTES} minutes: latest ${fmtRate(latest && latest[1])} req/s, peak ${fmtRate(peak)} req/s.`,
    });
    dataTable(figure, ["Minute", "Requests", "Req/s"], points.map((p) => [fmtTime(p.t), fmtInt(p.requests), fmtRate(minuteRate(p))]));
  }

  function renderLatency(points, x0, x1) {
    const figure = $("chart-latency");
    const last = points.filter((p) => isNum(p.p50)).pop();
    lineChart(figure.querySelector("[data-chart]"), {
      x0, x1,
      series: [
        { cls: "s-p50", label: "p50", keyText: `p50 ${fmtMs(last && last.p50)} ms`, points: points.map((p) => [p.t, p.p50]) },
        { cls: "s-p95", label: "p95", keyText: `p95 ${fmtMs(last && last.p95)} ms`, points: points.map((p) => [p.t, p.p95]) },
        { cls: "s-p99", label: "p99", keyText: `p99 ${fmtMs(last && last.p99)} ms`, points: points.map((p) => [p.t, p.p99]) },
      ],
      label: last
        ? `Latency per minute. Latest minute: p50 ${fmtMs(last.p50)} ms, p95 ${fmtMs(last.p95)} ms, p99 ${fmtMs(last.p99)} ms.`
        : "Latency per minute: no requests yet.",
    });
    dataTable(figure, ["Minute", "p50 ms", "p95 ms", "p99 ms"], points.map((p) => [fmtTime(p.t), fmtMs(p.p50), fmtMs(p.p95), fmtMs(p.p99)]));
  }

  function renderErrors(points, x0, x1) {
    const figure = $("chart-errors");
    const rates = points.map((p) => [p.t, p.requests > 0 ? (p.errors / p.requests) * 100 : null]);
    const errors = points.reduce((sum, p) => sum + p.errors, 0);
    lineChart(figure.querySelector("[data-chart]"), {
      x0, x1, yFloor: 5, yFmt: (v) => `${fmtAxis(v)}%`,
      series: [{ cls: "s-err", label: "error %", points: rates }],
      label: `Error rate per minute: ${fmtInt(errors)} errors in the window.`,
    });
    dataTable(figure, ["Minute", "Requests", "Errors", "Error %"], points.map((p) => [
      fmtTime(p.t), fmtInt(p.requests), fmtInt(p.errors), p.requests > 0 ? fmtPct(p.errors / p.requests) : "—",
    ]));
  }

  const CACHE_LEVELS = [
    ["L1", "L1 hit (colo)"],
    ["L2", "L2 hit (KV)"],
    ["L3", "L3 hit (D1)"],
    ["miss", "miss"],
    ["bypass", "bypass"],
  ];
  function renderCache(metrics, points, x0, x1) {
    const figure = $("chart-cache");
    const byLevel = (metrics.cache && metrics.cache.byLevel) || {};
    const counts = CACHE_LEVELS.map(([level]) => {
      const entry = byLevel[level] || {};
      return isNum(entry.hits) ? entry.hits : isNum(entry.count) ? entry.count : 0;
    });
    const total = counts.reduce((a, b) => a + b, 0);
    const stack = $("cache-stack");
    stack.replaceChildren();
    stack.setAttribute("role", "img");
    stack.setAttribute("aria-label", total
      ? `Cache outcomes: ${CACHE_LEVELS.map(([, label], i) => `${label} ${counts[i]}`).join(", ")}.`
      : "No cache lookups in this window.");
    const legend = $("cache-legend");
    legend.replaceChildren();
    CACHE_LEVELS.forEach(([level, label], i) => {
      if (total) {
        const part = el("span", { class: `lvl-${level}` });
        part.style.flexGrow = String(counts[i]);
        part.style.flexBasis = "0";
        stack.append(part);
      }
      const value = el("span", { "data-testid": `cache-${level}`, text: fmtInt(counts[i]) });
      value.dataset.value = String(counts[i]);
      legend.append(el("li", {}, [
        el("span", { class: `sw lvl-${level}`, "aria-hidden": "true" }),
        document.createTextNode(`${label}: `),
        value,
        document.createTextNode(total ? ` (${fmtPct(counts[i] / total)})` : ""),
      ]));
    });
    const ratios = points.map((p) => [p.t, p.cacheLookups > 0 ? (p.cacheHits / p.cacheLookups) * 100 : null]);
    lineChart(figure.querySelector("[data-chart]"), {
      x0, x1, yFloor: 100, yFmt: (v) => `${Math.round(v)}%`,
      series: [{ cls: "s-hit", label: "hit ratio %", points: ratios }],
      label: `Cache hit ratio per minute; over the window ${fmtPct(metrics.cache && metrics.cache.hitRatio)}.`,
      emptyText: "No cache lookups yet",
    });
    dataTable(figure, ["Minute", "Hits", "Lookups", "Hit ratio"], points.map((p) => [
      fmtTime(p.t), fmtInt(p.cacheHits), fmtInt(p.cacheLookups), p.cacheLookups > 0 ? fmtPct(p.cacheHits / p.cacheLookups) : "—",
    ]));
  }

  function renderQueues() {
    const figure = $("chart-queues");
    const samples = state.queueHistory;
    const last = samples[samples.length - 1] || {};
    const show = (v) => (isNum(v) ? fmtInt(v) : "unknown");
    barChart(figure.querySelector("[data-chart]"), {
      slots: 30,
      series: [
        { cls: "s-interactive", field: "interactive", keyText: `interactive ${show(last.interactive)}` },
        { cls: "s-batch", field: "batch", keyText: `batch ${show(last.batch)}` },
      ],
      samples,
      label: `Queued jobs at each refresh; now ${show(last.interactive)} interactive and ${show(last.batch)} batch.`,
    });
    dataTable(figure, ["Sampled", "Interactive", "Batch"], samples.slice(-10).reverse().map((s) => [fmtTime(s.t, true), show(s.interactive), show(s.batch)]));
  }

  function renderForecast(points, x0, x1) {
    const figure = $("chart-forecast");
    const info = $("forecast-state");
    const planList = $("forecast-plan");
    const chart = figure.querySelector("[data-chart]");
    const capacity = state.capacity;
    if (capacity.status !== "ok") {
      info.textContent = capacity.status === "pending" ? "Waiting for the capacity forecast…" : capacity.message;
      info.dataset.state = capacity.status;
      chart.hidden = true;
      planList.replaceChildren();
      dataTable(figure, ["Hour", "Forecast req/s"], []);
      return;
    }
    chart.hidden = false;
    const regions = capacity.plan.regions || [];
    const byHour = new Map();
    for (const region of regions) {
      for (const point of region.forecast || []) {
        const t = Date.parse(point.at);
        const sum = byHour.get(t) || { rps: 0, low: 0, high: 0 };
        sum.rps += point.rps;
        sum.low += point.low;
        sum.high += point.high;
        byHour.set(t, sum);
      }
    }
    const hours = [...byHour.entries()].sort((a, b) => a[0] - b[0]);
    const now = x1;
    const hourStart = now - (now % HOUR);
    const current = byHour.get(hourStart);
    const inHour = points.filter((p) => p.t >= hourStart);
    const seconds = inHour.reduce((sum, p) => sum + p.seconds, 0);
    const actual = seconds >= 5 ? inHour.reduce((sum, p) => sum + p.requests, 0) / seconds : null;
    const modelled = regions.filter((region) => region.model && region.model.kind !== "none");
    info.dataset.state = hours.length && modelled.length ? "ok" : "empty";
    info.textContent = hours.length && modelled.length
      ? `This hour: forecast ${fmtRate(current && current.rps)} req/s (95 % band ${fmtRate(current && current.low)}–${fmtRate(current && current.high)}), actual so far ${fmtRate(actual)} req/s.`
      : `No forecast model yet (too little traffic history: a forecast needs a few hours of it). Actual this hour so far: ${fmtRate(actual)} req/s.`;
    const span = Math.max(x1 - x0, 15 * MINUTE);
    lineChart(chart, {
      x0, x1: x1 + 3 * span, now, yFloor: 0.1,
      series: [
        { cls: "s-actual", label: "actual", keyText: `actual ${fmtRate(actual)} req/s`, points: points.map((p) => [p.t, minuteRate(p)]) },
        { cls: "s-forecast", label: "forecast", keyText: `forecast ${fmtRate(current && current.rps)} req/s`, points: hours.map(([t, v]) => [t, v.rps]), step: HOUR },
      ],
      band: { cls: "s-forecast", points: hours.map(([t, v]) => [t, v.low, v.high]), step: HOUR },
      label: info.textContent,
      emptyText: "No traffic or forecast yet",
    });
    planList.replaceChildren(...regions.map((region) => {
      const action = region.action || "hold";
      const cls = action === "scale_out" ? "b-warn" : action === "scale_in" ? "b-unknown" : "b-good";
      const need = region.elastic ? "elastic (builtin runtime)" : `needs ${fmtInt(region.requiredConcurrency)} of ${fmtInt(region.currentCapacity)} concurrency`;
      return el("li", { "data-testid": `plan-${region.id}` }, [
        el("strong", { text: region.id }), document.createTextNode(" "),
        el("span", { class: `badge ${cls}`, text: action.replace("_", " ") }),
        document.createTextNode(` peak ${fmtRate(region.forecastPeakRps)} req/s · ${need}`),
      ]);
    }));
    dataTable(figure, ["Hour", "Forecast req/s", "Low", "High"], hours.map(([t, v]) => [fmtTime(t), fmtRate(v.rps), fmtRate(v.low), fmtRate(v.high)]));
  }

  function tone(word) {
    const value = String(word || "unknown").toLowerCase();
    if (["healthy", "closed", "ok", "up", "passing"].includes(value)) return "b-good";
    if (["degraded", "half_open", "forced_closed", "warning"].includes(value)) return "b-warn";
    if (["critical", "open", "forced_open", "unhealthy", "down", "failing"].includes(value)) return "b-bad";
    return "b-unknown";
  }
  const badge = (word, testid) => el("span", { class: `badge ${tone(word)}`, "data-testid": testid, text: String(word || "unknown").replace("_", " ") });

  function renderRegions(regions) {
    const host = $("regions");
    if (!regions.length) {
      host.replaceChildren(el("p", { class: "muted", text: "No regions reported (the topology could not be read)." }));
      return;
    }
    host.replaceChildren(...regions.map((region) => {
      const head = el("div", { class: "region-head" }, [
        el("h3", { text: region.id }),
        badge(region.status, `region-status-${region.id}`),
        el("span", { class: "muted", text: `${fmtInt(region.inFlight)} in flight` }),
      ]);
      const table = el("table");
      const header = el("tr");
      for (const [label, num] of [["Backend", false], ["In flight / limit", true], ["Breaker", false], ["Probe", false]]) {
        header.append(el("th", { scope: "col", class: num ? "num" : "", text: label }));
      }
      table.append(el("thead", {}, [header]));
      const body = el("tbody");
      for (const backend of region.backends || []) {
        const meter = el("span", { class: "meter", "aria-hidden": "true" }, [el("span")]);
        meter.firstChild.style.width = `${backend.limit > 0 ? clamp((backend.inFlight / backend.limit) * 100, 0, 100) : 0}%`;
        body.append(el("tr", { "data-testid": `backend-${backend.id}` }, [
          el("th", { scope: "row", text: backend.id }),
          el("td", { class: "num" }, [meter, document.createTextNode(`${fmtInt(backend.inFlight)} / ${fmtInt(backend.limit)}`)]),
          el("td", {}, [badge(backend.breaker, `breaker-${backend.id}`)]),
          el("td", {}, [badge(backend.probe, `probe-${backend.id}`)]),
        ]));
      }
      if (!(region.backends || []).length) body.append(el("tr", {}, [el("td", { colspan: "4", class: "muted", text: "No backends." })]));
      table.append(body);
      return el("div", { class: "region", "data-testid": `region-${region.id}` }, [head, el("div", { class: "table-wrap" }, [table])]);
    }));
  }

  // Redraw the charts at their new size (phone rotation, window resize).
  let resizeQueued = false;
  new ResizeObserver(() => {
    if (resizeQueued) return;
    resizeQueued = true;
    requestAnimationFrame(() => {
      resizeQueued = false;
      render();
    });
  }).observe(document.querySelector(".charts"));

  poll();
})();
