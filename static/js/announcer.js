/* Speaks call announcements (`call.announce.audio`: {"vi": [urls…], "en": [urls…]}).

   - One call at a time: a new call or a recall waits for the one being
     spoken, it never cuts it off.
   - Words are separate clips, so any gap between them sounds broken: with
     Web Audio the clips are decoded ahead and scheduled back to back on the
     audio clock; without it, preloaded <audio> elements play in turn.
   - Browsers may block sound until a tap: `enabled` tells, `enable()` must
     run inside the tap.  A TV started with autoplay allowed starts enabled. */
(function () {
  "use strict";
  const LANGUAGE_PAUSE_S = 0.35; // a breath between the Vietnamese and the English sentence
  const CALL_PAUSE_MS = 800;     // between two calls, so they do not run together
  const AudioContextClass = window.AudioContext || window.webkitAudioContext;
  const context = AudioContextClass ? new AudioContextClass() : null;
  const buffers = new Map(); // url → Promise<AudioBuffer|null>
  const queue = [];          // calls not yet started, each a list of clip lists (one per language)
  const started = [];        // clip URLs in the order they started playing (tests read it)
  const listeners = [];
  let enabled = context ? context.state === "running" : false;
  let speaking = false;

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  function decoded(url) {
    if (!buffers.has(url)) {
      const loading = fetch(url)
        .then((response) => { if (!response.ok) throw new Error(url); return response.arrayBuffer(); })
        .then((data) => context.decodeAudioData(data))
        .catch(() => { buffers.delete(url); return null; }); // skipped now, tried again next call
      buffers.set(url, loading);
    }
    return buffers.get(url);
  }

  async function playScheduled(parts) {
    const decodedParts = await Promise.all(parts.map((urls) => Promise.all(urls.map(decoded))));
    let at = context.currentTime + 0.05;
    let last = null;
    decodedParts.forEach((clips, part) => {
      if (part > 0) at += LANGUAGE_PAUSE_S;
      clips.forEach((buffer, index) => {
        if (!buffer) return; // a missing clip must not silence the rest
        const source = context.createBufferSource();
        source.buffer = buffer;
        source.connect(context.destination);
        source.start(at);
        const url = parts[part][index];
        setTimeout(() => started.push(url), Math.max(0, (at - context.currentTime) * 1000));
        at += buffer.duration;
        last = source;
      });
    });
    if (last) await new Promise((resolve) => { last.onended = resolve; });
  }

  async function playElements(parts) {
    const urls = parts.flat();
    const elements = urls.map((url) => { const audio = new Audio(url); audio.preload = "auto"; return audio; });
    for (const [index, audio] of elements.entries()) {
      await new Promise((resolve, reject) => {
        audio.onended = resolve;
        audio.onerror = resolve; // a missing clip must not stop the queue
        audio.play().then(() => started.push(urls[index]), reject); // rejected: autoplay blocked
      });
    }
  }

  async function drain() {
    if (speaking) return;
    speaking = true;
    while (enabled && queue.length) {
      const parts = queue.shift();
      try { await (context ? playScheduled(parts) : playElements(parts)); }
      catch (error) { setEnabled(false); } // the browser refused sound: show it
      if (queue.length) await sleep(CALL_PAUSE_MS);
    }
    speaking = false;
  }

  function setEnabled(value) {
    if (!value) queue.length = 0; // calls made while muted are stale by the time sound is back
    if (value === enabled) return;
    enabled = value;
    listeners.forEach((listener) => listener(value));
    if (value) drain();
  }

  async function enable() {
    if (!context) { setEnabled(true); return; } // the first play() tells whether it is allowed
    await context.resume();
    setEnabled(context.state === "running");
  }

  async function preload(manifestUrl) {
    if (!context) return; // <audio> elements fetch on demand and the HTTP cache keeps them
    try {
      const manifest = await (await fetch(manifestUrl)).json();
      await Promise.all(Object.values(manifest.clips || {}).map(decoded));
    } catch (error) { /* not fatal: clips are fetched when a call needs them */ }
  }

  if (context) context.addEventListener("statechange", () => { if (context.state !== "running") setEnabled(false); });

  window.Announcer = {
    /** Queue one call's announcement: every language in the hub's order, Vietnamese first. */
    say(announce) {
      const parts = Object.values((announce && announce.audio) || {}).filter((urls) => urls.length);
      if (!enabled || !parts.length) return;
      if (context) parts.flat().forEach(decoded); // start fetching while an earlier call is spoken
      queue.push(parts);
      drain();
    },
    enable,
    disable() { setEnabled(false); },
    preload,
    onChange(listener) { listeners.push(listener); },
    get enabled() { return enabled; },
    get pending() { return queue.length; },
    get log() { return started.slice(); },
  };
})();
