/* Lobby TV: the current call large, the latest call of each counter, waiting
   counts with the longest wait, clock and date, the admin's ticker line.
   ?fields=… / ?counters=… limit it; the hub sends everything and this page
   filters, so one room serves every TV. */
(function () {
  "use strict";
  const RECENT_ROWS = 6;              // what fits beside the current call without scrolling
  const REFRESH_MS = 5 * 60 * 1000;   // a fresh snapshot now and then picks up a new ticker line
  const root = document.querySelector(".lobby");
  const list = (value) => (value ? value.split(/[ ,]/).filter(Boolean) : []);
  const fields = list(root.dataset.fields);
  const counters = list(root.dataset.counters).map(Number);
  const text = JSON.parse(document.getElementById("display-text").textContent);
  const en = Hub.lang() === "en";
  const state = { services: [], counters: [], recent: [], waiting: {}, longest: {}, receivedAt: 0 };
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

  function renderRecent() {
    const body = document.querySelector("#recent-calls tbody");
    body.replaceChildren();
    const seen = new Set();
    for (const call of state.recent) {
      if (seen.has(call.counter) || seen.size >= RECENT_ROWS) continue; // latest call per counter
      seen.add(call.counter);
      const row = document.createElement("tr");
      const number = document.createElement("td"); number.textContent = call.number;
      const counter = document.createElement("td"); counter.textContent = call.counter_name || call.counter;
      row.append(number, counter); body.append(row);
    }
  }

  function renderWaiting() {
    const services = shownServices();
    const ul = document.getElementById("waiting-counts");
    // Up to 4 fields in one row; more share 2–3 rows, so 12 fields still fit.
    const columns = services.length <= 4 ? Math.max(1, services.length) : Math.min(6, Math.ceil(services.length / 2));
    ul.style.setProperty("--columns", columns);
    ul.style.setProperty("--rows", Math.max(1, Math.ceil(services.length / columns)));
    const elapsed = (Date.now() - state.receivedAt) / 1000;
    ul.replaceChildren(...services.map((s) => {
      const li = document.createElement("li");
      li.dataset.service = s.code;
      const name = document.createElement("span"); name.className = "field-name";
      name.textContent = en ? (s.name_en || s.name) : s.name;
      const count = document.createElement("strong"); count.textContent = state.waiting[s.code] || 0;
      const longest = document.createElement("span"); longest.className = "longest";
      const waited = state.longest[s.code];
      if (state.waiting[s.code] && waited !== undefined) {
        longest.textContent = text.longest.replace("{m}", Hub.minutes(waited + elapsed));
      }
      li.append(name, count, longest);
      return li;
    }));
  }

  function showCall(call, flash) {
    document.getElementById("call-number").textContent = call.number;
    document.getElementById("call-counter").textContent = text.to_counter.replace("{counter}", call.counter_name || call.counter);
    const box = document.getElementById("now-calling");
    box.classList.remove("flash");
    if (flash) { void box.offsetWidth; box.classList.add("flash"); } // restart the animation
  }

  function tick() {
    const now = new Date(Date.now() + skewMs);
    const locale = en ? "en-GB" : "vi-VN";
    document.getElementById("clock").textContent = new Intl.DateTimeFormat(locale, { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone }).format(now);
    document.getElementById("date").textContent = new Intl.DateTimeFormat(locale, { weekday: "long", day: "2-digit", month: "2-digit", year: "numeric", timeZone }).format(now);
  }

  const toggle = document.getElementById("sound-toggle");
  function renderSound(on) { toggle.dataset.sound = on ? "on" : "off"; toggle.textContent = on ? text.sound_on : text.sound_off; }
  renderSound(Announcer.enabled);
  Announcer.onChange(renderSound);
  // Staff should not have to aim: while sound is off, a tap anywhere turns it on.
  document.addEventListener("click", (event) => {
    if (event.target === toggle && Announcer.enabled) Announcer.disable();
    else if (!Announcer.enabled) Announcer.enable();
  });
  list(root.dataset.voiceManifests).forEach(Announcer.preload);
  tick(); setInterval(tick, 1000);
  setInterval(renderWaiting, 30000); // the longest wait grows between events

  function applySettings(centre) {
    voice = { on: centre.voice !== false, repeat: Math.min(3, Math.max(1, centre.repeat || 1)) };
    timeZone = centre.timezone || undefined;
    document.getElementById("centre-name").textContent = centre.name;
    document.getElementById("ticker").textContent = centre.ticker || "";
  }

  const socket = Hub.connect({ display: "lobby" }, {
    settings(centre) { applySettings(centre); tick(); },
    snapshot(data) {
      skewMs = Date.parse(data.at) - Date.now() || 0;
      Object.assign(state, {
        services: data.services,
        counters: data.counters,
        recent: data.recent_calls.filter(wanted),
        waiting: data.waiting,
        longest: Object.fromEntries(data.services.map((s) => [s.code, s.longest_wait_s])),
        receivedAt: Date.now(),
      });
      applySettings(data.centre);
      if (state.recent.length) showCall(state.recent[0], false); // a reconnect must not flash or speak
      tick(); renderRecent(); renderWaiting();
    },
    call(call) {
      if (!wanted(call)) return;
      state.recent.unshift(call); state.recent.length = Math.min(state.recent.length, 50);
      showCall(call, true); renderRecent();
      if (voice.on) for (let i = 0; i < voice.repeat; i++) Announcer.say(call.announce);
    },
    queue(data) {
      Object.assign(state, { waiting: data.waiting, longest: data.longest_wait_s || {}, receivedAt: Date.now() });
      renderWaiting();
    },
  });
  setInterval(() => { if (socket.connected) socket.emit("subscribe", { display: "lobby" }); }, REFRESH_MS);
})();
