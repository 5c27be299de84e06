/* Shared by every page: the API helper (CSRF, language, JSON errors) and a
   Socket.IO connection that re-subscribes and gets a fresh snapshot on every
   (re)connect, showing an "offline" mark while disconnected. */
(function () {
  "use strict";
  const meta = (name) => (document.querySelector(`meta[name="${name}"]`) || {}).content || "";

  async function api(method, path, body, extraHeaders) {
    const headers = Object.assign({ "Accept": "application/json", "X-CSRFToken": meta("csrf-token") }, extraHeaders || {});
    if (body !== undefined) headers["Content-Type"] = "application/json";
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
  window.Hub = { api, connect, clock, minutes, uuid, lang: () => document.documentElement.lang };
})();
