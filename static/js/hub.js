/* Shared by every page: the API helper (CSRF, language, JSON errors), the one
   acknowledged Socket.IO `subscribe` (asked on every (re)connect and whenever a
   page wants a fresh snapshot, with an "offline" mark until the hub answers ok),
   and the "name in this language, else the Vietnamese name" helper.
   A page served under a centre's prefix (/c/{code}/…) carries the code in
   <body data-centre>: its API calls go to /api/v1/c/{code}/… and its subscribe
   names the centre, so the page stays with its centre whatever the host name. */
(function () {
  "use strict";
  const meta = (name) => (document.querySelector(`meta[name="${name}"]`) || {}).content || "";
  const centre = document.body.dataset.centre || "";
  const centrePath = (path) =>
    centre && path.startsWith("/api/v1/") ? `/api/v1/c/${encodeURIComponent(centre)}/${path.slice(8)}` : path;

  async function api(method, path, body, extraHeaders) {
    const headers = Object.assign({ "Accept": "application/json", "X-CSRFToken": meta("csrf-token") }, extraHeaders || {});
    if (body !== undefined) headers["Content-Type"] = "application/json";
    path = centrePath(path);
    const response = await fetch(path + (path.includes("?") ? "&" : "?") + "lang=" + document.documentElement.lang, {
      method, headers, credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    let data = null;
    if (response.status !== 204) { try { data = await response.json(); } catch (e) { data = null; } }
    if (!response.ok) {
      const error = new Error((data && data.message) || response.statusText);
      error.status = response.status; error.code = data && data.error;
      throw error;
    }
    return { status: response.status, data };
  }

  function connect(subscription, handlers) {
    if (centre) subscription = Object.assign({ centre }, subscription);
    const socket = io({ transports: ["websocket", "polling"], reconnectionDelayMax: 2000 });
    const mark = document.getElementById("offline-mark");
    const setOnline = (online) => {
      document.body.classList.toggle("is-offline", !online);
      if (mark) mark.hidden = online;
    };
    setOnline(false);
    // Online means subscribed, not merely connected: a hub whose database is restarting
    // answers `database_unavailable`, and the screen asks again (1, 2, 4… up to 15 s,
    // with jitter so that 500 TVs do not all come back in the same second).
    let attempt = 0;
    let retryTimer = null;
    const subscribe = () => {
      retryTimer = null;
      if (!socket.connected) return;
      socket.timeout(10000).emit("subscribe", subscription, (timedOut, answer) => {
        if (!socket.connected) return;
        if (!timedOut && answer && answer.ok) { attempt = 0; setOnline(true); return; }
        setOnline(false);
        if (answer && answer.error && answer.error !== "database_unavailable") return;  // a refusal: asking again will not help
        attempt += 1;
        const delay = Math.min(15000, 1000 * 2 ** (attempt - 1)) * (0.75 + Math.random() / 2);
        retryTimer = setTimeout(subscribe, delay);
      });
    };
    socket.on("connect", () => { attempt = 0; if (retryTimer) clearTimeout(retryTimer); subscribe(); });
    socket.on("disconnect", () => setOnline(false));
    socket.on("connect_error", () => {
      // WebSocket blocked by a proxy: fall back to long-polling.
      socket.io.opts.transports = ["polling", "websocket"];
      setOnline(false);
    });
    // A staff page whose login was ended (new password, role, deactivated): reload, and
    // so meet the login page rather than go on showing the queue.
    socket.on("session_ended", () => window.location.reload());
    for (const [name, handler] of Object.entries(handlers)) socket.on(name, handler);
    // A page that wants a fresh snapshot (after a queue change, or each minute) asks
    // through the same acknowledged subscribe, so a failed answer keeps the offline mark.
    // While a retry is pending it will bring the snapshot; asking sooner would undo the backoff.
    socket.refresh = () => { if (socket.connected && !retryTimer) subscribe(); };
    return socket;
  }

  function pad2(n) { return String(n).padStart(2, "0"); }
  function clock(el) {
    const tick = () => {
      const d = new Date();
      el.textContent = `${pad2(d.getHours())}:${pad2(d.getMinutes())} · ${pad2(d.getDate())}/${pad2(d.getMonth() + 1)}/${d.getFullYear()}`;
    };
    tick(); setInterval(tick, 1000);
  }
  function minutes(seconds) { return Math.max(1, Math.round((seconds || 0) / 60)); }
  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "k" + Date.now().toString(36) + Math.random().toString(36).slice(2);
  }
  const lang = () => document.documentElement.lang;
  // The hub sends Vietnamese as `name` and each other language as `name_<lang>`
  // (`service_name` / `service_name_en`, `description` / `description_en`…).
  function localized(item, key) {
    key = key || "name";
    if (!item) return "";
    return (lang() !== "vi" && item[`${key}_${lang()}`]) || item[key];
  }
  // A pause reason is a code ("break") named in this page's language, or the clerk's own
  // words (and reasons stored before codes), shown as written.
  let pauseNames = null;
  function pauseReason(reason) {
    if (!reason) return "";
    if (pauseNames === null) {
      const el = document.getElementById("pause-reasons");
      pauseNames = el ? JSON.parse(el.textContent) : {};
    }
    return pauseNames[reason] || reason;
  }
  window.Hub = { api, connect, clock, minutes, uuid, lang, localized, pauseReason, centre };
})();
