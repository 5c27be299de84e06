/* Supervisor live view: a snapshot on every (re)connect and after each change
   (debounced), alerts as they come; waits tick every second between updates.
   Text from the hub is set with textContent, never as HTML. */
(function () {
  "use strict";
  const T = JSON.parse(document.getElementById("supervisor-text").textContent);
  const root = document.getElementById("live");
  let view = { fields: [], counters: [], devices: {} };
  const alerts = new Map();
  let skew = 0; // server clock minus this browser's clock, in ms
  let refreshTimer = null;

  function cell(row, text, cls) {
    const td = document.createElement("td");
    td.textContent = text;
    if (cls) td.className = cls;
    row.appendChild(td);
    return td;
  }
  function fill(id, rows) {
    const body = document.querySelector(`#${id} tbody`);
    body.replaceChildren(...rows);
  }
  function mmss(seconds) {
    const s = Math.max(0, Math.floor(seconds));
    return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
  }
  function since(iso) { return iso ? (Date.now() + skew - Date.parse(iso)) / 1000 : 0; }
  // Kiosks, screens and agents are online while connected: seen now.  Otherwise the
  // time the device (or its owner) last reported, in the centre's time zone, as on
  // /admin/devices; the date only when it is not today.
  const CONNECTED = new Set(["agent", "kiosk", "display", "counter_screen"]);
  function lastSeen(d) {
    if (CONNECTED.has(d.kind) && d.state === "online") return T.connected;
    const at = Date.parse(d.last_scan_at || d.at || "");
    if (Number.isNaN(at)) return "—";
    const timeZone = (view.centre && view.centre.timezone) || undefined;
    const day = (t) => new Date(t).toLocaleDateString("en-CA", { timeZone });
    const options = { timeZone, hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" };
    if (day(at) !== day(Date.now() + skew)) Object.assign(options, { day: "2-digit", month: "2-digit", year: "numeric" });
    return new Date(at).toLocaleString("vi-VN", options);
  }

  function renderFields() {
    fill("fields", view.fields.map((f) => {
      const tr = document.createElement("tr");
      tr.dataset.code = f.code;
      cell(tr, Hub.localized(f));
      cell(tr, String(f.waiting), "num waiting");
      const wait = cell(tr, f.oldest_since ? mmss(since(f.oldest_since)) : "—", "num longest");
      wait.dataset.since = f.oldest_since || "";
      cell(tr, f.target_wait_s ? `${Math.round(f.target_wait_s / 60)} ${T.min}` : "—", "num");
      cell(tr, String(f.serving), "num");
      cell(tr, String(f.counters_open), "num");
      cell(tr, String(f.counters_paused), "num paused-count");
      tr.classList.toggle("over", !!(f.target_wait_s && f.oldest_since && since(f.oldest_since) > f.target_wait_s));
      return tr;
    }));
  }
  function renderCounters() {
    fill("counters", view.counters.map((c) => {
      const tr = document.createElement("tr");
      tr.dataset.number = c.number;
      tr.classList.toggle("paused", c.state === "paused");
      cell(tr, Hub.localized(c));
      cell(tr, c.state === "paused" ? T.paused + (c.pause_reason ? ` (${Hub.pauseReason(c.pause_reason)})` : "") : (c.current ? T[c.current.status] || c.current.status : T.idle), "state");
      cell(tr, c.clerk || "—");
      cell(tr, c.current ? `${c.current.number} · ${c.current.service}` : "—");
      const timer = cell(tr, c.current ? mmss(since(c.current.started_at || c.current.called_at)) : "—", "num");
      timer.dataset.since = c.current ? (c.current.started_at || c.current.called_at || "") : "";
      return tr;
    }));
  }
  function renderDevices() {
    const entries = Object.entries(view.devices || {});
    if (!entries.length) {
      const tr = document.createElement("tr");
      const td = cell(tr, T.none);
      td.colSpan = 3;
      fill("devices", [tr]);
      return;
    }
    fill("devices", entries.map(([id, d]) => {
      const tr = document.createElement("tr");
      tr.dataset.device = id;
      cell(tr, d.name || id);
      cell(tr, T[d.state] || d.state || T.unknown, "state");
      cell(tr, lastSeen(d), "seen");
      return tr;
    }));
  }
  function renderAlerts() {
    const list = document.getElementById("alerts");
    list.replaceChildren(...[...alerts.values()].map((a) => {
      const li = document.createElement("li");
      li.className = a.kind;
      li.dataset.key = a.key;
      li.textContent = (a.message && (a.message[Hub.lang()] || a.message.vi)) || a.key;
      return li;
    }));
  }
  function render() { renderFields(); renderCounters(); renderDevices(); renderAlerts(); }

  function tick() {
    document.querySelectorAll("td[data-since]").forEach((td) => {
      if (td.dataset.since) td.textContent = mmss(since(td.dataset.since));
    });
    view.fields.forEach((f) => {
      const tr = document.querySelector(`#fields tr[data-code="${CSS.escape(f.code)}"]`);
      if (tr) tr.classList.toggle("over", !!(f.target_wait_s && f.oldest_since && since(f.oldest_since) > f.target_wait_s));
    });
  }

  let socket = null;
  function refreshSoon() {
    if (refreshTimer) return;
    refreshTimer = setTimeout(() => { refreshTimer = null; socket.refresh(); }, 500);
  }
  socket = Hub.connect({ supervisor: true }, {
    snapshot: (data) => {
      if (!data.subscription || !data.subscription.supervisor) return;
      skew = Date.parse(data.at) - Date.now();
      view = data;
      document.getElementById("centre-name").textContent = data.centre ? `· ${data.centre.name}` : "";
      alerts.clear();
      (data.alerts || []).forEach((a) => alerts.set(a.key, a));
      root.dataset.state = "live";
      render();
    },
    queue: refreshSoon,
    counter: refreshSoon,
    device: (d) => { view.devices = Object.assign({}, view.devices, { [d.id]: d }); renderDevices(); },
    alert: (a) => {
      if (a.active) alerts.set(a.key, a); else alerts.delete(a.key);
      renderAlerts();
    },
  });
  setInterval(tick, 1000);
})();
