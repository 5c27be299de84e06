/* Province overview (/province): every centre on one screen, sortable, live.
   `subscribe {province: true}` (static/js/hub.js: acknowledged, asked again on every
   reconnect) answers with a `snapshot` of every centre; each change at a centre
   brings a small `province` event ({code, waiting?, longest_wait_s?}): those cells
   change at once and a fresh snapshot is asked for at most every REFRESH_MS, and at
   least every IDLE_MS.  Waits tick every second between snapshots.
   Text from the hub is set with textContent, never as HTML. */
(function () {
  "use strict";
  const REFRESH_MS = 3000;
  const IDLE_MS = 30000;
  const T = JSON.parse(document.getElementById("province-text").textContent);
  const root = document.getElementById("province");
  const table = document.getElementById("centres");
  const base = table.dataset.root || "";
  let centres = JSON.parse(document.getElementById("province-data").textContent);
  let receivedAt = Date.now();
  // Default order: the longest wait against its target first (then the longest wait).
  let sortKey = "wait_vs_target";
  let sortDown = true;
  let lastAsked = 0;
  let pending = null;

  function mmss(seconds) {
    const s = Math.max(0, Math.floor(seconds));
    return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
  }
  function waited(c) {
    return c.waiting > 0 ? c.longest_wait_s + (Date.now() - receivedAt) / 1000 : 0;
  }
  function ratio(c) {
    if (c.target_wait_s && c.waiting > 0) return waited(c) / c.target_wait_s;
    return c.wait_vs_target === null || c.wait_vs_target === undefined ? -1 : c.wait_vs_target;
  }
  function value(c, key) {
    if (key === "name") return c.name || "";
    if (key === "wait_vs_target") return ratio(c);
    const v = c[key];
    return v === null || v === undefined ? -1 : v;
  }
  function compare(a, b) {
    const x = value(a, sortKey);
    const y = value(b, sortKey);
    let order = typeof x === "string" ? x.localeCompare(y, "vi") : x - y;
    if (order === 0 && sortKey === "wait_vs_target") order = waited(a) - waited(b);
    if (order === 0) return (a.name || "").localeCompare(b.name || "", "vi");
    return sortDown ? -order : order;
  }
  function cell(row, text, cls) {
    const td = document.createElement("td");
    td.textContent = text;
    td.className = cls;
    row.appendChild(td);
    return td;
  }
  function longestText(c) {
    const target = c.target_wait_s ? ` / ${Math.round(c.target_wait_s / 60)} ${T.min}` : "";
    return mmss(waited(c)) + target;
  }
  function render() {
    const rows = centres.slice().sort(compare).map((c) => {
      const tr = document.createElement("tr");
      tr.dataset.code = c.code;
      const name = document.createElement("td");
      name.className = "name";
      const link = document.createElement("a");
      link.href = `${base}/c/${encodeURIComponent(c.code)}/supervisor`;
      link.textContent = c.name;
      name.appendChild(link);
      tr.appendChild(name);
      cell(tr, String(c.waiting), "num waiting");
      cell(tr, longestText(c), "num longest");
      cell(tr, String(c.counters_open), "num counters_open");
      cell(tr, String(c.counters_paused), "num counters_paused");
      cell(tr, String(c.served_today), "num served_today");
      const share = c.satisfaction_today;
      cell(tr, share === null || share === undefined ? "—" : `${Math.round(share * 100)}%`, "num satisfaction_today");
      cell(tr, String(c.devices_offline), "num devices_offline");
      cell(tr, String(c.screens_offline), "num screens_offline");
      cell(tr, String(c.alerts), "num alerts");
      tr.classList.toggle("over", ratio(c) > 1);
      return tr;
    });
    table.tBodies[0].replaceChildren(...rows);
    for (const th of table.tHead.rows[0].cells) {
      th.setAttribute("aria-sort", th.dataset.sort === sortKey ? (sortDown ? "descending" : "ascending") : "none");
    }
  }
  function tick() {
    const byCode = new Map(centres.map((x) => [x.code, x]));
    for (const tr of table.tBodies[0].rows) {
      const c = byCode.get(tr.dataset.code);
      if (c) {
        tr.querySelector(".longest").textContent = longestText(c);
        tr.classList.toggle("over", ratio(c) > 1);
      }
    }
  }

  for (const th of table.tHead.rows[0].cells) {
    th.querySelector("button").addEventListener("click", () => {
      const key = th.dataset.sort;
      if (key === sortKey) sortDown = !sortDown;
      else { sortKey = key; sortDown = key !== "name"; }
      render();
    });
  }

  let socket = null;
  function ask() {
    pending = null;
    lastAsked = Date.now();
    if (socket) socket.refresh();
  }
  function soon() {
    if (pending) return;
    pending = setTimeout(ask, Math.max(0, lastAsked + REFRESH_MS - Date.now()));
  }
  socket = Hub.connect({ province: true }, {
    snapshot(data) {
      if (!data || !Array.isArray(data.centres)) return;
      centres = data.centres;
      receivedAt = Date.now();
      lastAsked = Date.now();
      root.dataset.state = "live";
      render();
    },
    province(change) {
      const c = centres.find((x) => x.code === change.code);
      if (!c) { soon(); return; }  // a centre added since: the snapshot brings it
      if (typeof change.waiting === "number") {
        // Kept relative to the last snapshot, so the wait keeps ticking right.
        c.waiting = change.waiting;
        c.longest_wait_s = (change.longest_wait_s || 0) - (Date.now() - receivedAt) / 1000;
      }
      const tr = table.querySelector(`tr[data-code="${CSS.escape(change.code)}"]`);
      if (tr) {
        tr.querySelector(".waiting").textContent = String(c.waiting);
        tr.querySelector(".longest").textContent = longestText(c);
      }
      soon();
    },
  });
  render();
  setInterval(tick, 1000);
  setInterval(() => { if (Date.now() - lastAsked >= IDLE_MS) ask(); }, 5000);
})();
