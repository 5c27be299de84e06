/* Touch kiosk: field → optional priority group → the number, then back to the start. */
(function () {
  "use strict";
  const root = document.getElementById("kiosk");
  const kioskName = root.dataset.kiosk;
  const text = JSON.parse(document.getElementById("kiosk-text").textContent);
  const en = Hub.lang() === "en";
  const steps = ["step-service", "step-priority", "step-ticket"].map((id) => document.getElementById(id));
  const errorBox = document.getElementById("kiosk-error");
  const offerButton = document.getElementById("scan-offer");
  const note = document.getElementById("ticket-note");
  let state = { services: [], groups: [] };
  let chosen = null;
  let idleTimer = null;
  let busy = false;

  function show(step) {
    steps.forEach((s) => { s.hidden = s.id !== step; });
    clearTimeout(idleTimer);
    if (step !== "step-service") idleTimer = setTimeout(reset, step === "step-ticket" ? 20000 : 30000);
  }
  function reset() { chosen = null; errorBox.hidden = true; offerButton.hidden = true; show("step-service"); }
  function label(item) { return en ? (item.name_en || item.name) : item.name; }

  function renderServices() {
    const box = document.getElementById("service-buttons");
    box.replaceChildren();
    for (const s of state.services) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "service-button";
      button.dataset.service = s.code;
      const name = document.createElement("span"); name.className = "name"; name.textContent = label(s);
      const info = document.createElement("span"); info.className = "info";
      const available = s.available !== false;
      info.textContent = available ? text.waiting.replace("{n}", s.waiting) : text[s.unavailable_reason] || text.closed;
      button.disabled = !available;
      button.setAttribute("aria-disabled", String(!available));
      button.append(name, info);
      button.addEventListener("click", () => { if (available) choose(s); });
      box.append(button);
    }
  }
  function choose(service) {
    chosen = service; errorBox.hidden = true; offerButton.hidden = true;
    show(state.groups.length ? "step-priority" : "step-ticket"); if (!state.groups.length) issue(null);
  }
  function renderGroups() {
    const box = document.getElementById("priority-buttons");
    box.replaceChildren();
    for (const g of state.groups) {
      const button = document.createElement("button");
      button.type = "button"; button.className = "priority-button"; button.dataset.priority = g.code;
      const name = document.createElement("span"); name.className = "name"; name.textContent = label(g);
      const info = document.createElement("span"); info.className = "info";
      info.textContent = en ? (g.description_en || g.description) : g.description;
      button.append(name, info);
      button.addEventListener("click", () => issue(g.code));
      box.append(button);
    }
  }

  async function issue(priority) {
    if (busy || !chosen) return;
    busy = true;
    const key = Hub.uuid(); // one key per tap: a retry never issues a second ticket
    const body = { service: chosen.code, priority, kiosk: kioskName, source: "kiosk" };
    let result = null;
    for (let attempt = 0; attempt < 3 && !result; attempt++) {
      try { result = (await Hub.api("POST", "/api/v1/tickets", body, { "Idempotency-Key": key })).data; }
      catch (error) {
        if (error.status && error.status < 500) { showError(error.message); break; }
        await new Promise((r) => setTimeout(r, 700));
        if (attempt === 2) showError(error.message);
      }
    }
    busy = false;
    if (!result) return;
    showTicket(result);
  }

  function showTicket(result) {
    document.getElementById("ticket-number").textContent = result.number;
    document.getElementById("ticket-service").textContent = en ? (result.service_name_en || result.service_name) : result.service_name;
    document.getElementById("ticket-ahead").textContent = text.ahead.replace("{n}", result.people_ahead);
    document.getElementById("ticket-wait").textContent = result.people_ahead
      ? text.wait.replace("{m}", Hub.minutes(result.estimated_wait_s)) : text.no_wait;
    document.getElementById("ticket-qr").src = `/t/${result.token}/qr.svg`;
    note.hidden = true;
    shown = result;
    document.getElementById("print-problem").hidden = !(result.print && !result.print.printer_ok);
    show("step-ticket");
  }
  let shown = null;
  function printProblem(event) {
    // a job for the ticket on screen failed, or this kiosk's printer just went down
    if (!shown || !shown.print) return;
    if (event.job === shown.print.job && event.state === "failed") document.getElementById("print-problem").hidden = false;
  }
  function showError(message) { errorBox.textContent = message; errorBox.hidden = false; show("step-service"); }

  document.getElementById("no-priority").addEventListener("click", () => issue(null));
  document.querySelectorAll("[data-back]").forEach((b) => b.addEventListener("click", reset));
  // Kiosk lock: no context menu, no text selection, no zoom, no leaving the page by keyboard.
  document.addEventListener("contextmenu", (e) => e.preventDefault());
  document.addEventListener("selectstart", (e) => e.preventDefault());
  document.addEventListener("dragstart", (e) => e.preventDefault());
  document.addEventListener("wheel", (e) => { if (e.ctrlKey) e.preventDefault(); }, { passive: false });
  document.addEventListener("keydown", (e) => {
    const blocked = (e.ctrlKey || e.metaKey || e.altKey) || ["F1", "F3", "F6", "F7", "F11", "F12"].includes(e.key);
    if (blocked) e.preventDefault();
  });
  document.addEventListener("touchstart", (e) => { if (e.touches.length > 1) e.preventDefault(); }, { passive: false });

  // A scan at this kiosk (serial scanner, or a keyboard-wedge scanner typing into this page).
  let offered = null;
  function onScan(data) {
    if (data.kiosk !== kioskName) return;
    const say = (texts) => texts[Hub.lang()] || texts.vi;
    if (data.ticket) {
      errorBox.hidden = true; offerButton.hidden = true;
      showTicket(data.ticket);
      if (data.note) { note.textContent = say(data.note); note.hidden = false; } // booked time, dossier code
      return;
    }
    if (!data.message) return;
    showError(say(data.message));
    // Outside a booking's check-in window: the same field, as a normal number, one tap away.
    offered = data.offer ? state.services.find((s) => s.code === data.offer.service && s.available !== false) : null;
    offerButton.hidden = !offered;
    // Long enough to read; then the kiosk is ready for the next person (any tap cancels this).
    idleTimer = setTimeout(reset, 15000);
  }
  offerButton.addEventListener("click", () => { if (offered) choose(offered); });
  let typed = "", lastKey = 0;
  document.addEventListener("keydown", (e) => {
    const now = Date.now();
    if (now - lastKey > 80) typed = ""; // people type slowly; scanners send a burst
    lastKey = now;
    if (e.key === "Enter" && typed.length >= 4) {
      const code = typed; typed = "";
      Hub.api("POST", `/api/v1/kiosks/${encodeURIComponent(kioskName)}/scan`, { code }).catch(() => {});
    } else if (e.key.length === 1) typed += e.key;
  });

  const socket = Hub.connect({ display: "kiosk" }, {
    scan: onScan,
    print: printProblem,
    device(data) {
      if (data.kind === "printer" && shown && shown.print && data.name === shown.print.printer && data.state !== "online" && data.state !== "unknown") {
        document.getElementById("print-problem").hidden = false;
      }
    },
    snapshot(data) {
      state.services = data.services; state.groups = data.priority_groups || [];
      document.getElementById("centre-name").textContent = data.centre.name;
      renderServices(); renderGroups();
      const closed = state.services.length && state.services.every((s) => s.unavailable_reason === "closed");
      const banner = document.getElementById("kiosk-closed");
      banner.textContent = text.centre_closed; banner.hidden = !closed;
    },
    queue(data) {
      const unavailable = data.unavailable || {};
      for (const s of state.services) {
        if (s.code in data.waiting) s.waiting = data.waiting[s.code];
        s.available = !(s.code in unavailable); s.unavailable_reason = unavailable[s.code] || null;
      }
      renderServices();
    },
  });
  // Opening and closing time pass without any event: ask for a fresh snapshot every minute.
  setInterval(() => { if (socket.connected) socket.emit("subscribe", { display: "kiosk" }); }, 60000);
})();
