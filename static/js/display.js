/* Lobby TV: the current call large, the latest call of each counter, waiting
   counts with the longest wait, clock and date, the admin's ticker line.
   ?fields=… / ?counters=… limit it; the hub sends everything and this page
   filters, so one room serves every TV.  Sizes adapt to what this TV shows
   (one row per counter, tiles per field) and text shrinks to fit rather
   than spill: nothing is ever cut off at 1080p or 4K. */
(function () {
  "use strict";
  const REFRESH_MS = 5 * 60 * 1000;   // a fresh snapshot now and then picks up a new ticker line
  const root = document.querySelector(".lobby");
  const list = (value) => (value ? value.split(/[ ,]/).filter(Boolean) : []);
  const fields = list(root.dataset.fields);
  const counters = list(root.dataset.counters).map(Number);
  const announce = list(root.dataset.announce); // ?announce=vi,hmn: the languages this lobby speaks
  // A paired TV's own languages, set on /admin/devices (by day, by night): `lobby_voice`
  // says which are in effect and until when; they come before the URL's.
  let own = [];
  let switchTimer = null;
  const text = JSON.parse(document.getElementById("display-text").textContent);
  const en = Hub.lang() === "en";
  // latest: each counter's latest call this TV shows; current: the one in the big box
  const state = { services: [], counters: [], latest: new Map(), current: null, waiting: {}, longest: {}, receivedAt: 0 };
  let timeZone;        // the centre's, not the TV's: a TV left on UTC must still show local time
  let voice = { on: true, repeat: 1 }; // the admin's display settings (snapshot and `settings`)
  let skewMs = 0;      // hub clock minus this TV's clock

  const wanted = (call) => (!fields.length || fields.includes(call.service))
    && (!counters.length || counters.includes(call.counter));

  function shownServices() {
    let codes = fields;
    if (!codes.length && counters.length) {
      codes = state.counters.filter((c) => counters.includes(c.number)).flatMap((c) => c.services);
    }
    return state.services.filter((s) => !codes.length || codes.includes(s.code));
  }

  /** "Quầy 4 - Lao động, Thương binh và Xã hội" → ["Quầy 4", "Lao động, Thương binh và Xã hội"]. */
  function splitName(name) {
    const match = /^(.+?)\s+[-–—:|]\s+(.+)$/.exec(String(name || ""));
    return match ? [match[1], match[2]] : [String(name || ""), ""];
  }

  /** Shrink `box`'s font (its children are sized in em) until nothing inside spills; at most to `floor`.
      Spilling is measured on the glyphs' boxes, descenders and Vietnamese marks (ụ, ậ) included:
      the boxes leave room for them in their line-height and padding, so a pixel past the edge is
      text cut on the TV.  Inside, a `.fit-line` must stay on its line and a `.fit-lines` (a name
      clamped to a few lines) must not need more lines than it shows. */
  function fit(box, floor = 0.55) {
    box.style.fontSize = "";
    const base = parseFloat(getComputedStyle(box).fontSize);
    const lines = [...box.querySelectorAll(".fit-line")];
    const clamped = [...box.querySelectorAll(".fit-lines")];
    const spills = () => box.scrollHeight > box.clientHeight + 1 || box.scrollWidth > box.clientWidth + 1
      || lines.some((el) => el.scrollWidth > el.clientWidth + 1)
      || clamped.some((el) => el.scrollHeight > el.clientHeight + 1);
    let size = base;
    while (size > base * floor && spills()) {
      size -= base * 0.03;
      box.style.fontSize = `${size}px`;
    }
    return size;
  }

  /** The counters this TV is about: the ones asked for, or the ones serving its fields, or all. */
  function shownCounters() {
    if (counters.length) return state.counters.filter((c) => counters.includes(c.number));
    if (fields.length) return state.counters.filter((c) => c.services.some((code) => fields.includes(code)));
    return state.counters;
  }

  const byTime = (a, b) => (Date.parse(b.called_at) || 0) - (Date.parse(a.called_at) || 0);

  function renderRecent() {
    const table = document.getElementById("recent-calls");
    const body = table.tBodies[0];
    const calls = [...state.latest.values()].sort(byTime);
    const names = calls.map((call) => splitName(Hub.localized(call, "counter_name") || call.counter));
    const withDetail = names.some(([, detail]) => detail);
    // One row per counter this TV shows (so the layout does not jump as counters call),
    // in as many columns as gives the biggest type.
    const n = Math.max(1, shownCounters().length, calls.length);
    const section = table.parentElement;
    const height = section.clientHeight - section.querySelector("h2").offsetHeight - table.tHead.offsetHeight;
    const width = section.clientWidth;
    const cap = innerHeight * 0.055;
    const best = (rowUnits) => [1, 2, 3, 4].map((cols) => {
      const rows = Math.ceil(n / cols);
      return { cols, rows, size: Math.min(cap, height / rows / rowUnits, width / cols / 9.3) };
    }).reduce((a, b) => (b.size > a.size + 0.5 ? b : a));
    let layout = best(withDetail ? 2.9 : 1.7);
    const detail = withDetail && layout.size >= innerHeight * 0.026; // else only "Quầy 12", big enough to read
    if (withDetail && !detail) layout = best(1.7);
    table.classList.toggle("no-detail", !detail);
    table.style.setProperty("--cols", layout.cols);
    table.style.setProperty("--rows", layout.rows);
    table.style.fontSize = `${layout.size}px`;
    const head = table.tHead.rows[0];
    while (head.cells.length < layout.cols * 2) head.append(head.cells[head.cells.length - 2].cloneNode(true));
    while (head.cells.length > layout.cols * 2) head.lastElementChild.remove();
    body.replaceChildren(...calls.map((call, index) => {
      const row = document.createElement("tr");
      row.dataset.counter = call.counter;
      const number = document.createElement("td"); number.className = "number fit-line"; number.textContent = call.number;
      const counter = document.createElement("td"); counter.className = "counter";
      const [main, rest] = names[index];
      const strong = document.createElement("span"); strong.className = "main"; strong.textContent = main;
      const small = document.createElement("span"); small.className = "detail"; small.textContent = rest;
      counter.append(strong, small);
      row.append(number, counter);
      return row;
    }));
    fit(body, 0.5);
  }

  function renderWaiting() {
    const services = shownServices();
    const ul = document.getElementById("waiting-counts");
    // Up to 4 fields in one row, up to 8 in two, more in three: names stay wide enough for 2 lines.
    const n = services.length;
    const columns = n <= 4 ? Math.max(1, n) : n <= 8 ? Math.ceil(n / 2) : Math.ceil(n / 3);
    ul.style.setProperty("--columns", columns);
    ul.style.setProperty("--rows", Math.max(1, Math.ceil(n / columns)));
    const elapsed = (Date.now() - state.receivedAt) / 1000;
    ul.replaceChildren(...services.map((s) => {
      const li = document.createElement("li");
      li.dataset.service = s.code;
      const name = document.createElement("span"); name.className = "field-name fit-lines";
      name.textContent = Hub.localized(s);
      const count = document.createElement("strong"); count.textContent = state.waiting[s.code] || 0;
      const longest = document.createElement("span"); longest.className = "longest";
      const waited = state.longest[s.code];
      if (state.waiting[s.code] && waited !== undefined) {
        longest.textContent = text.longest.replace("{m}", Hub.minutes(waited + elapsed));
      }
      li.append(count, name, longest);
      return li;
    }));
    // A long name ("Household business registration") gets smaller type, never fewer words,
    // and every tile takes that size: the band reads as one list from across the hall.
    const tiles = [...ul.querySelectorAll("li")];
    const size = Math.min(...tiles.map((li) => fit(li, 0.7)));
    tiles.forEach((li) => { li.style.fontSize = `${size}px`; });
  }

  function showCall(call, flash) {
    state.current = call;
    const [main, detail] = splitName(Hub.localized(call, "counter_name") || call.counter);
    document.getElementById("call-number").textContent = call.number;
    document.getElementById("call-label").textContent = call.recall ? text.calling_again : text.now_calling;
    document.getElementById("now-calling").classList.toggle("recall", Boolean(call.recall));
    document.getElementById("call-counter-main").textContent = text.to_counter.replace("{counter}", main);
    document.getElementById("call-counter-detail").textContent = detail;
    const box = document.getElementById("now-calling");
    fit(box, 0.4);
    box.classList.remove("flash");
    if (flash) { void box.offsetWidth; box.classList.add("flash"); } // restart the animation
  }

  function fitAll() {
    fit(document.getElementById("centre-name"), 0.6);
    if (state.current) fit(document.getElementById("now-calling"), 0.4);
    renderRecent(); renderWaiting();
  }
  addEventListener("resize", fitAll);

  function tick() {
    const now = new Date(Date.now() + skewMs);
    const locale = en ? "en-GB" : "vi-VN";
    document.getElementById("clock").textContent = new Intl.DateTimeFormat(locale, { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone }).format(now);
    document.getElementById("date").textContent = new Intl.DateTimeFormat(locale, { weekday: "long", day: "2-digit", month: "2-digit", year: "numeric", timeZone }).format(now);
  }

  const toggle = document.getElementById("sound-toggle");
  function renderSound(on) {
    toggle.dataset.sound = on ? "on" : "off"; toggle.textContent = on ? text.sound_on : text.sound_off;
    fit(document.getElementById("centre-name"), 0.6); // the button's width changed
  }
  renderSound(Announcer.enabled);
  Announcer.onChange(renderSound);
  // Staff should not have to aim: while sound is off, a tap anywhere turns it on.
  document.addEventListener("click", (event) => {
    if (event.target === toggle && Announcer.enabled) Announcer.disable();
    else if (!Announcer.enabled) Announcer.enable();
  });
  list(root.dataset.voiceManifests).forEach(Announcer.preload);
  // The languages of the call being spoken, the one speaking now marked (the lobby's
  // citizens see which language to listen for).
  Announcer.onSpeaking((now) => {
    const line = document.getElementById("speaking");
    line.dataset.lang = now ? now.lang : "";
    line.replaceChildren(...(now ? now.languages : []).map(({ lang, name }) => {
      const item = document.createElement("span");
      item.dataset.lang = lang; item.textContent = name;
      if (lang === now.lang) item.className = "now";
      return item;
    }));
  });
  tick(); setInterval(tick, 1000);
  setInterval(renderWaiting, 30000); // the longest wait grows between events

  function applySettings(centre) {
    voice = { on: centre.voice !== false, repeat: Math.min(3, Math.max(1, centre.repeat || 1)) };
    timeZone = centre.timezone || undefined;
    document.getElementById("centre-name").textContent = centre.name;
    fit(document.getElementById("centre-name"), 0.6);
    document.getElementById("ticker").textContent = centre.ticker || "";
  }

  const socket = Hub.connect({ display: "lobby" }, {
    settings(centre) { applySettings(centre); tick(); },
    snapshot(data) {
      skewMs = Date.parse(data.at) - Date.now() || 0;
      // The hub sends each counter's latest call in each field, so a filtered TV is right too.
      const calls = data.recent_calls.filter(wanted).sort(byTime);
      const latest = new Map();
      for (const call of calls) if (!latest.has(call.counter)) latest.set(call.counter, call);
      Object.assign(state, {
        services: data.services,
        counters: data.counters,
        latest,
        waiting: data.waiting,
        longest: Object.fromEntries(data.services.map((s) => [s.code, s.longest_wait_s])),
        receivedAt: Date.now(),
      });
      applySettings(data.centre);
      if (calls.length) showCall(calls[0], false); // a reconnect must not flash or speak
      tick(); renderRecent(); renderWaiting();
    },
    call(call) {
      if (!wanted(call)) return;
      state.latest.delete(call.counter); state.latest.set(call.counter, call);
      showCall(call, true); renderRecent();
      const spoken = own.length ? own : announce;
      if (voice.on) for (let i = 0; i < voice.repeat; i++) Announcer.say(call.announce, spoken);
    },
    lobby_voice(setting) {
      own = setting.announce || [];
      root.dataset.own = own.join(",");
      clearTimeout(switchTimer);
      // At the night order's start or end, ask the hub again: it says what is in effect.
      const wait = setting.until ? Date.parse(setting.until) - (Date.now() + skewMs) : NaN;
      if (wait >= 0) switchTimer = setTimeout(() => socket.refresh(), Math.min(wait + 1000, 2 ** 31 - 1));
    },
    queue(data) {
      Object.assign(state, { waiting: data.waiting, longest: data.longest_wait_s || {}, receivedAt: Date.now() });
      renderWaiting();
    },
  });
  setInterval(socket.refresh, REFRESH_MS);
})();
