/* Clerk console: one counter's actions, the queue it serves and today's
   figures, live.  The counter's snapshot is the source of truth: every event
   that may change it asks for a fresh one (coalesced), so the console never
   drifts from the hub.  Buttons that make no sense in the current state are
   disabled; the hub refuses them anyway.
   A numeric keypad alone runs it: + Enter * / - . act on the ticket, and
   digits mean a number: a ticket to call when the counter is free, a counter
   to transfer to while a citizen is held (README, "Counter console keys"). */
(function () {
  "use strict";
  // Several events arrive per action: one snapshot for all.  Other counters' traffic
  // waits longer, so a busy centre costs the hub at most one snapshot a second per console.
  const OWN_REFRESH_MS = 150;
  const QUEUE_REFRESH_MS = 1000;
  const root = document.getElementById("console");
  // Choosing another counter opens its console (a plain GET form; no inline handler under the CSP).
  const choice = document.querySelector(".counter-choice select");
  if (choice) choice.addEventListener("change", () => choice.form.submit());
  const number = parseInt(root.dataset.counter, 10);
  if (!number) return;
  const text = JSON.parse(document.getElementById("console-text").textContent);
  const $ = (id) => document.getElementById(id);
  const fill = (template, values) => Object.entries(values).reduce((s, [k, v]) => s.replace(`{${k}}`, v), template);
  let snapshot = null;
  let receivedAt = 0;
  let skewMs = 0; // hub clock minus this PC's: timers stay right on a PC whose clock is off
  let pending = false;
  let refreshTimer = null;

  const serviceName = (code) => { const s = snapshot.services.find((x) => x.code === code); return s ? Hub.localized(s) : code; };
  const groupName = (code) => { const g = (snapshot.priority_groups || []).find((x) => x.code === code); return g ? Hub.localized(g) : code; };
  const clockOf = (seconds) => `${Math.floor(seconds / 60)}:${String(Math.floor(seconds % 60)).padStart(2, "0")}`;

  function say(message, isError) { $("console-message").textContent = message || ""; $("console-message").classList.toggle("error", !!isError); }

  /** Which actions make sense now: a counter holds one ticket at a time, a paused one calls nobody. */
  function allowed(counter) {
    const status = counter.current && counter.current.status;
    const idle = !counter.current && counter.state !== "paused";
    return {
      next: idle, call: idle, pause: idle,
      resume: counter.state === "paused",
      recall: status === "called", start: status === "called", "no-show": status === "called",
      finish: status === "called" || status === "serving",
      transfer: status === "called" || status === "serving",
      "check-in": true, // a citizen with a number by phone may arrive at any time
    };
  }

  function renderButtons() {
    const can = snapshot ? allowed(snapshot.counter) : {};
    document.querySelectorAll("[data-action]").forEach((button) => { button.disabled = pending || !can[button.dataset.action]; });
  }

  function renderCounter() {
    const counter = snapshot.counter;
    const current = counter.current;
    root.dataset.state = counter.state;
    root.dataset.holding = current ? current.status : "";
    $("current-number").textContent = current ? current.number : "—";
    $("current-state").textContent = current ? (text[current.status] || current.status) : "";
    $("current-service").textContent = current ? serviceName(current.service) : "";
    $("current-priority").textContent = current && current.priority ? `★ ${groupName(current.priority)}` : "";
    // result pick-up: the receipt scanned at the kiosk tells the clerk which dossier to fetch
    $("current-dossier").textContent = current && current.dossier_code ? fill(text.dossier, { dossier: current.dossier_code }) : "";
    $("current-dossier").hidden = !(current && current.dossier_code);
    // sent on by another clerk: from where, and what they wrote for this one
    const moved = current && current.transfer;
    $("current-transfer").hidden = !moved;
    if (moved) {
      const from = Hub.localized(moved, "from_counter_name") || moved.from_counter || "";
      const field = moved.from_service && moved.from_service !== current.service ? ` (${serviceName(moved.from_service)})` : "";
      $("transfer-from").textContent = fill(text.transfer_from, { source: `${from}${field}` });
      $("transfer-note-shown").textContent = moved.note ? fill(text.transfer_note, { note: moved.note }) : "";
    }
    const paused = counter.state === "paused";
    $("counter-state").textContent = paused ? `${text.paused}${counter.pause_reason ? ": " + Hub.pauseReason(counter.pause_reason) : ""}` : text.open;
    $("counter-state").classList.toggle("paused", paused);
    renderTimer();
    renderButtons();
  }

  function renderTimer() {
    const current = snapshot && snapshot.counter.current;
    const since = current && (current.started_at || current.called_at);
    $("current-timer").textContent = since ? clockOf(Math.max(0, (Date.now() + skewMs - Date.parse(since)) / 1000)) : "";
  }

  function renderQueue() {
    const mine = snapshot.counter.services;
    const elapsed = (Date.now() - receivedAt) / 1000;
    $("waiting-list").replaceChildren(...snapshot.services.filter((s) => mine.includes(s.code)).map((s) => {
      const li = document.createElement("li");
      li.dataset.service = s.code;
      const field = document.createElement("span");
      field.append(`${Hub.localized(s)}: `);
      const count = document.createElement("strong"); count.textContent = snapshot.waiting[s.code] || 0;
      field.append(count);
      const longest = document.createElement("span"); longest.className = "longest";
      if (snapshot.waiting[s.code]) longest.textContent = fill(text.longest, { m: Hub.minutes(s.longest_wait_s + elapsed) });
      li.append(field, longest);
      return li;
    }));
    $("next-list").replaceChildren(...(snapshot.counter.upcoming || []).map((t) => {
      const li = document.createElement("li");
      li.textContent = t.number;
      li.title = serviceName(t.service);
      if (t.priority) { li.classList.add("priority"); li.append(` ★ ${groupName(t.priority)}`); }
      if (t.target_counter === number) { li.classList.add("for-you"); li.append(` · ${text.for_you}`); }
      if (t.transfer && t.transfer.note) { li.append(" ✎"); li.title += ` — ${fill(text.transfer_note, { note: t.transfer.note })}`; }
      return li;
    }));
    const today = snapshot.counter.today;
    $("today").textContent = today.average_service_s === null ? fill(text.served, { n: today.served })
      : `${fill(text.served, { n: today.served })} · ${fill(text.average, { m: Hub.minutes(today.average_service_s) })}`;
  }

  function renderTransferTargets() {
    const group = $("transfer-counters");
    const chosen = $("transfer-target").value;
    group.replaceChildren(...snapshot.counters.filter((c) => c.number !== number).map((c) => {
      const option = document.createElement("option");
      option.value = `counter:${c.number}`; option.textContent = Hub.localized(c);
      return option;
    }));
    if (chosen) $("transfer-target").value = chosen;
    // the letters of this counter's fields, in its order: digits typed on a keypad get one
    const prefix = $("call-prefix");
    const letters = [...new Set(snapshot.counter.services.map((code) => {
      const s = snapshot.services.find((x) => x.code === code); return s && s.prefix;
    }).filter(Boolean))];
    if (letters.join() !== [...prefix.options].map((o) => o.value).join()) {
      const kept = prefix.value;
      prefix.replaceChildren(...letters.map((letter) => new Option(letter, letter)));
      if (letters.includes(kept)) prefix.value = kept;
    }
    prefix.hidden = !letters.length;
  }

  function refresh(delay) {
    if (refreshTimer) { if (delay === QUEUE_REFRESH_MS) return; clearTimeout(refreshTimer); }
    refreshTimer = setTimeout(() => { refreshTimer = null; socket.refresh(); }, delay);
  }

  async function act(action, body) {
    if (pending) return;
    pending = true; renderButtons(); say("");
    if (document.activeElement && document.activeElement.blur) document.activeElement.blur(); // Enter means "next" again
    try {
      const result = await Hub.api("POST", `/api/v1/counters/${number}/${action}`, body);
      if (action === "next" && result.status === 204) say(text.nobody);
      return result;
    } catch (error) { say(error.message, true); return null; }
    finally {
      pending = false; renderButtons(); refresh(OWN_REFRESH_MS);
      if (waitingKey) {
        const pressed = waitingKey; waitingKey = null;
        document.body.dispatchEvent(new KeyboardEvent("keydown", { ...pressed, bubbles: true, cancelable: true }));
      }
    }
  }
  let waitingKey = null; // a keypad press made while an action was on its way

  // -- pause with a reason -------------------------------------------------
  const dialog = $("pause-dialog");
  const reasonOther = $("pause-other");
  const chosenReason = () => dialog.querySelector("input[name=pause-reason]:checked");
  reasonOther.addEventListener("input", () => { dialog.querySelector("input[name=pause-reason][value='']").checked = true; });
  dialog.addEventListener("close", () => {
    if (dialog.returnValue !== "pause") return;
    act("pause", { reason: (chosenReason().value || reasonOther.value).trim() });
  });

  document.querySelectorAll("button[data-action]").forEach((button) => {
    const action = button.dataset.action;
    if (["transfer", "call", "check-in"].includes(action)) return; // submitted by their forms
    button.addEventListener("click", () => {
      if (action === "pause") { dialog.returnValue = ""; dialog.showModal(); chosenReason().focus(); }
      else act(action);
    });
  });

  async function transfer() {
    const [kind, value] = $("transfer-target").value.split(":");
    const target = $("transfer-target").selectedOptions[0].textContent;
    const held = snapshot.counter.current && snapshot.counter.current.number;
    const body = kind === "counter" ? { counter: parseInt(value, 10) } : { service: value };
    body.note = $("transfer-note").value.trim();
    if (await act("transfer", body)) { say(fill(text.transferred, { number: held, target })); $("transfer-note").value = ""; }
  }
  $("transfer-form").addEventListener("submit", (event) => { event.preventDefault(); transfer(); });

  /** What was typed, as a ticket number: bare digits get the letter chosen beside them. */
  function wantedNumber() {
    const typed = $("call-number").value.replace(/\s+/g, "").toUpperCase();
    return /^\d+$/.test(typed) && $("call-prefix").value ? $("call-prefix").value + typed : typed;
  }
  async function callNumber() {
    const field = $("call-number");
    const wanted = wantedNumber();
    if (!wanted) return;
    if (await act("call", { ticket: wanted })) { field.value = ""; return; }
    // refused (unknown number, counter busy): the next digits replace it, never append to it
    field.focus(); field.select();
  }
  $("call-form").addEventListener("submit", (event) => { event.preventDefault(); callNumber(); });

  /** A number by phone typed as the citizen's phone shows it: checked in, not called. */
  async function checkIn() {
    const field = $("check-in-number");
    const typed = field.value.trim();
    if (!typed) return;
    const result = await act("check-in", { ticket: typed });
    if (!result) { field.focus(); field.select(); return; } // refused: the reason is said
    const ticket = result.data;
    field.value = "";
    say(fill(ticket.remote && ticket.remote.lost_place ? text.checked_in_late : text.checked_in, { number: ticket.number }));
  }
  $("check-in-form").addEventListener("submit", (event) => { event.preventDefault(); checkIn(); });

  // -- keyboard and USB keypad: each button shows its keys ---------------
  const DIGIT = /^(?:Digit|Numpad)(\d)$/;
  const digitOf = (event) => { const m = DIGIT.exec(event.code); return m ? m[1] : (/^\d$/.test(event.key) ? event.key : null); };
  const isEnter = (event) => event.key === "Enter" || event.code === "NumpadEnter";

  /** A keypad digit outside any field: a ticket number to call, or a counter to transfer to. */
  function startNumber(digit) {
    const can = snapshot ? allowed(snapshot.counter) : {};
    if (can.call && !pending) {
      const field = $("call-number");
      field.value = digit; field.focus(); field.setSelectionRange(1, 1);
      return true;
    }
    if (can.transfer && !pending) { $("transfer-target").focus(); chooseCounter(digit); return true; }
    return false;
  }

  // In the call field: digits (NumLock on or off), * for the letter, Enter calls, Esc leaves.
  $("call-number").addEventListener("keydown", (event) => {
    const digit = digitOf(event);
    if (digit && event.key !== digit) { // NumLock off: the keypad sends End, Home…; still a digit
      event.preventDefault();
      const field = event.target;
      field.setRangeText(digit, field.selectionStart, field.selectionEnd, "end");
    } else if (event.code === "NumpadMultiply" || (event.key === "*" && !digit)) {
      event.preventDefault();
      const prefix = $("call-prefix");
      if (prefix.options.length) prefix.selectedIndex = (prefix.selectedIndex + 1) % prefix.options.length;
    } else if (isEnter(event)) {
      event.preventDefault(); callNumber();
    } else if (event.key === "Escape") {
      event.target.value = ""; event.target.blur();
    } else if (["NumpadAdd", "NumpadSubtract", "NumpadDivide", "NumpadDecimal"].includes(event.code)) {
      event.preventDefault(); // keypad operators are actions, not characters of a number
    }
  });
  $("call-prefix").addEventListener("change", () => $("call-number").focus());

  // On the transfer list: a counter's number picks it, + and − move, Enter transfers.
  let typedCounter = "";
  let typedAt = 0;
  function chooseCounter(digit) {
    typedCounter = Date.now() - typedAt < 1500 ? typedCounter + digit : digit;
    typedAt = Date.now();
    const select = $("transfer-target");
    const wanted = [`counter:${parseInt(typedCounter, 10)}`, `counter:${parseInt(digit, 10)}`];
    const option = wanted.map((v) => [...select.options].find((o) => o.value === v)).find(Boolean);
    if (option) select.value = option.value;
  }
  $("transfer-target").addEventListener("keydown", (event) => {
    const select = event.target;
    const digit = digitOf(event);
    if (digit) { event.preventDefault(); chooseCounter(digit); }
    else if (event.code === "NumpadAdd" || event.code === "NumpadSubtract") {
      event.preventDefault();
      const step = event.code === "NumpadAdd" ? 1 : -1;
      select.selectedIndex = Math.min(select.options.length - 1, Math.max(0, select.selectedIndex + step));
    } else if (isEnter(event)) {
      event.preventDefault();
      if (!document.querySelector("button[data-action=transfer]").disabled) transfer();
    } else if (event.key === "Escape") select.blur();
  });

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.altKey || event.metaKey || dialog.open) return;
    if (["INPUT", "SELECT", "TEXTAREA"].includes(event.target.tagName)) return; // typing
    // Enter on "Log out" or a link keeps its meaning; on an action button (focused by a click) it is "next".
    if (event.target.matches("a, button:not([data-action])") && (event.key === "Enter" || event.key === " ")) return;
    if (pending) {
      // The screen may already show the new state while the last action's answer is on its
      // way: keep the key and act on it then, rather than dropping the clerk's press.
      waitingKey = { key: event.key, code: event.code };
      event.preventDefault();
      return;
    }
    const digit = digitOf(event);
    if (digit) { if (startNumber(digit)) event.preventDefault(); return; }
    const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    const matches = [...document.querySelectorAll("[data-keys]")]
      .filter((el) => el.dataset.keys.split(" ").some((k) => k === event.code || k === key));
    if (!matches.length) return;
    event.preventDefault();
    // One key may serve several buttons that are never enabled together ("/": start, pause, resume).
    const target = matches.find((el) => el.tagName !== "BUTTON" || !el.disabled) || matches[0];
    if (target.tagName === "BUTTON") { if (!target.disabled) target.click(); }
    else { target.focus(); if (target.select) target.select(); } // transfer and call: pick the target or type the number, then Enter
  });

  setInterval(() => { if (snapshot) renderTimer(); }, 1000);
  setInterval(() => { if (snapshot) renderQueue(); }, 30000); // longest waits grow between events

  const socket = Hub.connect({ counter: number }, {
    snapshot(data) {
      if (!data.counter || data.counter.number !== number) return;
      snapshot = data; receivedAt = Date.now(); skewMs = Date.parse(data.at) - receivedAt || 0;
      renderCounter(); renderQueue(); renderTransferTargets();
    },
    counter(data) {
      if (data.number !== number || !snapshot) return;
      Object.assign(snapshot.counter, data); renderCounter(); // buttons follow at once; the rest follows the snapshot
      refresh(OWN_REFRESH_MS);
    },
    queue() { refresh(QUEUE_REFRESH_MS); },
    // this counter's scanner read a ticket: a refusal (unknown number, counter busy) is said here
    scan(data) {
      if (data.counter !== number) return;
      if (data.message) say(data.message[Hub.lang()] || data.message.vi, true);
      else if (data.note) say(data.note[Hub.lang()] || data.note.vi);  // a number by phone checked in
      else if (data.ticket) say("");
    },
  });
})();
