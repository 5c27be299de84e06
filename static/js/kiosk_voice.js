/* The kiosk that speaks and shows (issue 18).

   - Each field's tile gets the pictogram the admin chose (/admin/voices), so a
     citizen who cannot read matches the tile to the picture on the ticket.
   - "Nghe hướng dẫn" reads the screen aloud in the chosen language: the prompt,
     then every tile of the page in order, each highlighted while its name is
     said and a moment after; tapping the highlighted tile takes that number.
     Languages: /display/voice/kiosk.json (recorded packs complete for the
     kiosk, else the shipped voice synthesised). When the number is shown the
     kiosk says so, in the same language, if the citizen listened.
   `KioskVoice.log` lists what was read, for tests. */
(function () {
  "use strict";
  const box = document.getElementById("service-buttons");
  const bar = document.getElementById("read-aloud");
  if (!box || !bar) return;
  const AFTER_NAME_MS = 700; // the tile stays lit a moment after its name: time to reach out and tap
  let voices = [];
  let pictograms = {};
  let reading = null;  // {stop: true} of the walk in progress
  let listened = null; // the voice of this visit's read-aloud
  const log = [];

  function decorate() {
    for (const button of box.querySelectorAll(".service-button")) {
      const url = pictograms[button.dataset.service];
      const img = button.querySelector("img.pictogram");
      if (!url) { if (img) img.remove(); continue; }
      if (img && img.getAttribute("src") === url) continue;
      const picture = img || document.createElement("img");
      picture.className = "pictogram"; picture.alt = ""; picture.src = url;
      if (!img) button.prepend(picture);
    }
  }
  new MutationObserver(decorate).observe(box, { childList: true });

  function play(url) {
    return new Promise((resolve) => {
      if (!url) { resolve(); return; }
      const audio = new Audio(url);
      audio.onended = resolve; audio.onerror = resolve;
      audio.play().catch(resolve);
    });
  }
  const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  function unlight() { box.querySelectorAll(".service-button.reading").forEach((b) => b.classList.remove("reading")); }

  async function readAloud(voice) {
    if (reading) reading.stop = true;
    const walk = { stop: false };
    reading = walk; listened = voice;
    bar.querySelectorAll("button").forEach((b) => b.classList.toggle("active", b.dataset.voice === voice.code));
    log.push({ voice: voice.code, what: "prompt_choose" });
    await play(voice.prompts.prompt_choose);
    for (const button of [...box.querySelectorAll(".service-button")]) {
      if (walk.stop || !button.isConnected || !button.offsetParent) break; // tapped, or another screen
      unlight(); button.classList.add("reading");
      log.push({ voice: voice.code, what: button.dataset.service, lit: button.classList.contains("reading") });
      await play(voice.fields[button.dataset.service]);
      await pause(AFTER_NAME_MS);
    }
    if (!walk.stop) unlight();
    if (reading === walk) reading = null;
  }

  // A tile tapped while the kiosk was reading: the priority question is written only, so
  // it is answered "no" for a citizen who listens (one who needs priority asks the staff).
  const priority = document.getElementById("step-priority");
  new MutationObserver(() => {
    if (priority.hidden || !listened) return;
    if (reading) reading.stop = true;
    unlight();
    const skip = document.getElementById("no-priority");
    // after the screen's tap guard (kiosk.js SETTLE_MS), which would take this tap for a stray one
    const settle = typeof window.KIOSK_SETTLE_MS === "number" ? window.KIOSK_SETTLE_MS : 600;
    setTimeout(() => skip.click(), settle + 50);
  }).observe(priority, { attributes: true, attributeFilter: ["hidden"] });

  // The number on screen: say so in the language the citizen listened in.
  const ticket = document.getElementById("step-ticket");
  new MutationObserver(() => {
    if (ticket.hidden) return;
    if (reading) reading.stop = true;
    unlight();
    if (listened) { log.push({ voice: listened.code, what: "prompt_taken" }); play(listened.prompts.prompt_taken); listened = null; }
  }).observe(ticket, { attributes: true, attributeFilter: ["hidden"] });

  function render() {
    const label = bar.dataset.label;
    bar.replaceChildren(...voices.map((voice, index) => {
      const button = document.createElement("button");
      button.type = "button"; button.dataset.voice = voice.code;
      button.className = index === 0 ? "read-aloud main" : "read-aloud";
      button.textContent = index === 0 ? `🔊 ${label}` : voice.name;
      button.title = `${label} – ${voice.name}`;
      button.addEventListener("click", () => readAloud(voice));
      return button;
    }));
    bar.hidden = !voices.length;
  }

  async function load() {
    try {
      const data = await (await fetch(bar.dataset.url, { headers: { Accept: "application/json" } })).json();
      voices = data.voices || []; pictograms = data.pictograms || {};
      // The language the kiosk is shown in speaks first; the others follow in the centre's order.
      const shown = voices.findIndex((voice) => voice.code === Hub.lang());
      if (shown > 0) voices.unshift(...voices.splice(shown, 1));
    } catch (error) { return; } // not fatal: the kiosk works without sound
    render(); decorate();
  }
  load();
  setInterval(load, 5 * 60 * 1000); // a pictogram or a new pack chosen by the admin shows up
  window.KioskVoice = { get log() { return log.slice(); }, get ready() { return voices.length > 0; } };
})();
