/* Touch kiosk: field → optional priority group → the number, then back to the start.

   A tap that arrives just after the screen changed was meant for the old screen
   (a double tap, an impatient second tap): for SETTLE_MS every new screen ignores
   taps, and tells so with aria-disabled. When the visit ends (Done, or nobody
   touches the screen for a while) the kiosk goes back to page 1; once nobody has
   touched it for a while, to Vietnamese too. */
(function () {
  "use strict";
  const root = document.getElementById("kiosk");
  const kioskName = root.dataset.kiosk;
  const homeLang = root.dataset.homeLang || "vi";
  const text = JSON.parse(document.getElementById("kiosk-text").textContent);
  const en = Hub.lang() === "en";
  const steps = ["step-service", "step-priority", "step-ticket"].map((id) => document.getElementById(id));
  const errorBox = document.getElementById("kiosk-error");
  const scanNotice = document.getElementById("scan-notice");
  const suggestionBox = document.getElementById("priority-suggestion");
  const offerButton = document.getElementById("scan-offer");
  const note = document.getElementById("ticket-note");
  const pager = document.getElementById("service-pager");
  const prevButton = document.getElementById("page-prev");
  const nextButton = document.getElementById("page-next");
  // Browser tests that are not about taps set window.KIOSK_SETTLE_MS = 0 before the page
  // loads (tests/browser/conftest.py), not to wait out the guard at every screen; a kiosk never does.
  const SETTLE_MS = typeof window.KIOSK_SETTLE_MS === "number" ? window.KIOSK_SETTLE_MS : 600;
  const IDLE_MS = { "step-service": 60000, "step-priority": 30000, "step-ticket": 20000 };
  let state = { services: [], groups: [] };
  let chosen = null;
  let idleTimer = null;
  let idle = null; // {ms, action}: any touch starts the wait again
  let busy = false;
  let current = "step-service";
  let page = 0;
  let settling = false;
  let settleTimer = null;

  // --- taps meant for the previous screen (one flag: ignored exactly while marked disabled)
  const guarded = [...steps, offerButton];
  function settle() {
    settling = true;
    guarded.forEach((el) => el.setAttribute("aria-disabled", "true"));
    clearTimeout(settleTimer);
    settleTimer = setTimeout(() => {
      settling = false;
      guarded.forEach((el) => el.removeAttribute("aria-disabled"));
    }, SETTLE_MS);
  }
  root.addEventListener("click", (e) => {
    if (settling && e.target.closest(".kiosk-step, #scan-offer")) { e.preventDefault(); e.stopImmediatePropagation(); }
  }, true);

  // --- idle: the citizen has gone
  function armIdle(ms, action) {
    clearTimeout(idleTimer);
    idle = ms ? { ms, action } : null;
    if (idle) idleTimer = setTimeout(action, ms);
  }
  document.addEventListener("pointerdown", () => { if (idle) armIdle(idle.ms, idle.action); }, true);

  function show(step) {
    if (step !== current) {
      current = step;
      steps.forEach((s) => { s.hidden = s.id !== step; });
      settle();
    }
    if (step === "step-service") {
      fitNames();
      // the start screen as the next citizen expects it: page 1, in Vietnamese
      armIdle(en || page > 0 ? IDLE_MS[step] : 0, home);
    } else armIdle(IDLE_MS[step], home);
  }
  function back() { chosen = null; errorBox.hidden = true; offerButton.hidden = true; show("step-service"); }
  function firstPage() { forgetCard(); page = 0; renderServices(); back(); }
  function home() {
    if (!en) { firstPage(); return; }
    const url = new URL(location.href);
    url.searchParams.set("lang", homeLang);
    // Ask first (this also sets the language cookie): a reload while the hub is
    // unreachable would leave a browser error page on the kiosk for good.
    fetch(url.href, { credentials: "same-origin", cache: "no-store" })
      .then((response) => { if (!response.ok) throw new Error(response.statusText); location.replace(url.href); })
      .catch(firstPage);
  }

  // --- fields: a grid that always fits the screen; more than 12 fields are paged
  function layout(n) {
    const portrait = innerHeight >= innerWidth;
    const cols = portrait ? (n <= 4 ? 1 : 2) : (n <= 2 ? Math.max(n, 1) : n <= 4 ? 2 : 3);
    const perPage = n > 12 ? (portrait ? 10 : 9) : Math.max(n, 1);
    const rows = Math.max(Math.ceil(perPage / cols), portrait ? 4 : 2);
    return { cols, rows, perPage, pages: Math.max(1, Math.ceil(n / perPage)) };
  }
  function fitNames() {
    // Names wrap; one too long even for that gets smaller type, never below 32 px.
    for (const button of document.querySelectorAll("#service-buttons .service-button")) {
      const name = button.querySelector(".name");
      name.style.fontSize = "";
      if (!button.offsetParent) continue;
      let size = parseFloat(getComputedStyle(name).fontSize);
      while (size > 32 && (button.scrollHeight > button.clientHeight + 1 || name.scrollWidth > name.clientWidth + 1)) {
        size -= 2; name.style.fontSize = `${size}px`;
      }
    }
  }
  function turn(delta) {
    page += delta; renderServices(); settle(); show("step-service");
  }
  prevButton.addEventListener("click", () => turn(-1));
  nextButton.addEventListener("click", () => turn(1));
  let resizing = null;
  addEventListener("resize", () => { clearTimeout(resizing); resizing = setTimeout(renderServices, 150); });
  // Fit the names again whenever the tiles' box changes size (the header or ticker settling
  // after the first render) or a font arrives late: on a busy kiosk PC long names were seen
  // spilling out of tiles fitted a moment too early.
  if (window.ResizeObserver) {
    new ResizeObserver(() => fitNames()).observe(document.getElementById("service-buttons"));
  }
  if (document.fonts) document.fonts.ready.then(fitNames);

  function renderServices() {
    const box = document.getElementById("service-buttons");
    const grid = layout(state.services.length);
    page = Math.max(0, Math.min(page, grid.pages - 1));
    box.style.setProperty("--cols", grid.cols);
    box.style.setProperty("--rows", grid.rows);
    pager.hidden = grid.pages < 2;
    prevButton.disabled = page === 0;
    nextButton.disabled = page >= grid.pages - 1;
    document.getElementById("page-indicator").textContent =
      text.page.replace("{page}", page + 1).replace("{pages}", grid.pages);
    box.replaceChildren();
    for (const s of state.services.slice(page * grid.perPage, (page + 1) * grid.perPage)) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "service-button";
      button.dataset.service = s.code;
      const name = document.createElement("span"); name.className = "name"; name.textContent = Hub.localized(s);
      const info = document.createElement("span"); info.className = "info";
      const available = s.available !== false;
      info.textContent = available ? text.waiting.replace("{n}", s.waiting)
        : s.reopens_at ? text.opens_at.replace("{time}", s.reopens_at)
        : text[s.unavailable_reason] || text.closed;
      button.disabled = !available;
      // (never aria-disabled="false": it would hide the screen's own aria-disabled while it settles)
      if (!available) button.setAttribute("aria-disabled", "true");
      button.append(name, info);
      button.addEventListener("click", () => { if (available) choose(s); });
      box.append(button);
    }
    fitNames();
  }
  function choose(service) {
    chosen = service; errorBox.hidden = true; offerButton.hidden = true; scanNotice.hidden = true;
    show(state.groups.length ? "step-priority" : "step-ticket"); if (!state.groups.length) issue(null);
    renderGroups();
  }
  function renderGroups() {
    const box = document.getElementById("priority-buttons");
    box.replaceChildren();
    // A citizen ID card proposed a group ("Ông/Bà đủ 60 tuổi: chọn “Người cao tuổi”?"): it is
    // marked and focused, one tap takes it; "No, continue" still gives a normal number.
    const proposed = card && state.groups.some((g) => g.code === card.group) ? card : null;
    suggestionBox.hidden = !proposed;
    if (proposed) suggestionBox.textContent = say(proposed.text);
    for (const g of state.groups) {
      const button = document.createElement("button");
      button.type = "button"; button.className = "priority-button"; button.dataset.priority = g.code;
      if (proposed && g.code === proposed.group) button.classList.add("suggested");
      const name = document.createElement("span"); name.className = "name"; name.textContent = Hub.localized(g);
      const info = document.createElement("span"); info.className = "info";
      info.textContent = Hub.localized(g, "description");
      button.append(name, info);
      button.addEventListener("click", () => issue(g.code));
      box.append(button);
    }
    const marked = box.querySelector(".suggested");
    if (marked && current === "step-priority") marked.focus();
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
    forgetCard(); // the card's proposal was for this visit only
    showTicket(result);
  }

  function showTicket(result) {
    document.getElementById("ticket-number").textContent = result.number;
    document.getElementById("ticket-service").textContent = Hub.localized(result, "service_name");
    const group = result.priority ? state.groups.find((g) => g.code === result.priority) : null;
    const priority = document.getElementById("ticket-priority");
    priority.textContent = result.priority ? text.priority.replace("{group}", group ? Hub.localized(group) : result.priority) : "";
    priority.hidden = !result.priority;
    document.getElementById("ticket-ahead").textContent = text.ahead.replace("{n}", result.people_ahead);
    document.getElementById("ticket-wait").textContent = result.people_ahead
      ? text.wait.replace("{m}", Hub.minutes(result.estimated_wait_s)) : text.no_wait;
    showQr(result.token || (owned[result.id] || {}).token);
    note.hidden = true;
    shown = result;
    document.getElementById("print-problem").hidden = !(result.print && !result.print.printer_ok);
    show("step-ticket");
  }
  let shown = null;
  // A scan's ticket with its token reaches only the kiosk paired under this name
  // (`scan_ticket`) or the page that sent the code (the API answer); other kiosks get the
  // lobby wall's shape: no QR code, receipt codes cut to their last digits.
  const owned = {};
  function showQr(token) {
    const qr = document.getElementById("ticket-qr");
    qr.closest("figure").hidden = !token;
    if (token) qr.src = `/t/${token}/qr.svg`;
  }
  function ownTicket(data) {
    if (!data || !data.ticket || !data.ticket.token || data.kiosk !== kioskName) return;
    owned[data.ticket.id] = { token: data.ticket.token, note: data.note };
    if (!shown || shown.id !== data.ticket.id) return;
    showQr(data.ticket.token);
    if (data.note) { note.textContent = say(data.note); note.hidden = false; }
  }
  const say = (texts) => texts[Hub.lang()] || texts.vi;
  function printProblem(event) {
    // a job for the ticket on screen failed, or this kiosk's printer just went down
    if (!shown || !shown.print) return;
    if (event.job === shown.print.job && event.state === "failed") document.getElementById("print-problem").hidden = false;
  }
  function showError(message) {
    errorBox.textContent = message; errorBox.hidden = false;
    show("step-service"); settle(); // the banner moves the tiles: a tap meant for one must not hit another
  }

  document.getElementById("no-priority").addEventListener("click", () => issue(null));
  document.querySelectorAll("[data-back]").forEach((b) => b.addEventListener("click", back));
  // Done: page 1 again; the one who tapped is still here, so the language waits for the idle
  document.getElementById("ticket-done").addEventListener("click", firstPage);
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
  // A citizen ID card read here: the group its holder's age reaches, until the visit ends.
  let card = null;
  function forgetCard() { card = null; scanNotice.hidden = true; suggestionBox.hidden = true; }
  function onScan(data) {
    if (data.kiosk !== kioskName) return;
    forgetCard();
    if (data.kind === "citizen_id" && data.suggested_priority && data.suggestion) {
      card = { group: data.suggested_priority, text: data.suggestion };
    }
    if (data.kind === "citizen_id" && !data.ticket && !data.message) {
      // Read, no booking to check in: the fields, with what the card proposes.
      errorBox.hidden = true; offerButton.hidden = true;
      scanNotice.textContent = [data.note, card && card.text].filter(Boolean).map(say).join(" ");
      scanNotice.hidden = false;
      if (current === "step-priority" && chosen) renderGroups();
      else { chosen = null; show("step-service"); }
      return;
    }
    if (data.ticket) {
      errorBox.hidden = true; offerButton.hidden = true;
      showTicket(data.ticket);
      const full = (owned[data.ticket.id] || {}).note || data.note;
      if (full) { note.textContent = say(full); note.hidden = false; } // booked time, dossier code
      return;
    }
    if (!data.message) return;
    showError(say(data.message));
    // Outside a booking's check-in window: the same field, as a normal number, one tap away.
    offered = data.offer ? state.services.find((s) => s.code === data.offer.service && s.available !== false) : null;
    offerButton.hidden = !offered;
    // Long enough to read; then the fields again (any tap restarts the wait). The one who
    // scanned may still be there, so the language stays until the start screen's own idle.
    armIdle(15000, back);
  }
  offerButton.addEventListener("click", () => { if (offered) choose(offered); });
  // "13:30" (today) sorts before "07:30 01/12" (another day): day first, then time.
  function sortable(when) {
    const [time, day] = when.split(" ");
    return day ? `1 ${day.split("/").reverse().join("/")} ${time}` : `0 ${time}`;
  }
  let typed = "", lastKey = 0;
  document.addEventListener("keydown", (e) => {
    const now = Date.now();
    if (now - lastKey > 80) typed = ""; // people type slowly; scanners send a burst
    lastKey = now;
    if (e.key === "Enter" && typed.length >= 4) {
      const code = typed; typed = "";
      Hub.api("POST", `/api/v1/kiosks/${encodeURIComponent(kioskName)}/scan`, { code }).then((r) => ownTicket(r.data)).catch(() => {});
    } else if (e.key.length === 1) typed += e.key;
  });

  const socket = Hub.connect({ display: "kiosk" }, {
    scan: onScan,
    scan_ticket: ownTicket,
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
      // When it opens again: the earliest of the fields' next openings ("07:30 01/12").
      const opens = closed ? state.services.map((s) => s.reopens_at).filter(Boolean) : [];
      const soonest = opens.sort((a, b) => sortable(a).localeCompare(sortable(b)))[0];
      banner.textContent = soonest ? text.centre_closed_until.replace("{time}", soonest) : text.centre_closed;
      banner.hidden = !closed;
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
  setInterval(socket.refresh, 60000);
  show("step-service");
})();
