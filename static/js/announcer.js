/* Speaks call announcements (`call.announce.audio`: {"vi": [urls…], "hmn": [urls…], "en": [urls…]},
   one key per language, in the centre's order; `announce.also`, alike, the languages some
   lobby TV speaks beyond the centre's order; `announce.names` names them).

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
  const speakingListeners = []; // told {lang, name, recall, languages} as each language starts, null at the end
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

  function tell(value) { speakingListeners.forEach((listener) => listener(value)); }

  async function playScheduled(call) {
    const parts = call.parts.map((part) => part.urls);
    const decodedParts = await Promise.all(parts.map((urls) => Promise.all(urls.map(decoded))));
    let at = context.currentTime + 0.05;
    let last = null;
    decodedParts.forEach((clips, part) => {
      if (part > 0) at += LANGUAGE_PAUSE_S;
      const now = call.speaking(part);
      setTimeout(() => tell(now), Math.max(0, (at - context.currentTime) * 1000));
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

  async function playElements(call) {
    const urls = call.parts.flatMap((part) => part.urls);
    const firsts = new Map(); // index of a language's first clip → that language
    call.parts.reduce((index, part, n) => { firsts.set(index, n); return index + part.urls.length; }, 0);
    const elements = urls.map((url) => { const audio = new Audio(url); audio.preload = "auto"; return audio; });
    for (const [index, audio] of elements.entries()) {
      if (firsts.has(index)) tell(call.speaking(firsts.get(index)));
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
      const call = queue.shift();
      try { await (context ? playScheduled(call) : playElements(call)); }
      catch (error) { setEnabled(false); } // the browser refused sound: show it
      tell(null);
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
    /** Queue one call's announcement: every language in the hub's order, Vietnamese first.
        `only`: the languages this lobby speaks (its own, set by the admin, or ?announce=vi,hmn),
        in its own order, from `audio` and `also`. */
    say(announce, only) {
      const audio = (announce && announce.audio) || {};
      const names = (announce && announce.names) || {};
      const pool = Object.assign({}, (announce && announce.also) || {}, audio);
      const among = (codes) => codes.filter((lang) => lang in pool && pool[lang].length);
      // A lobby none of whose languages has a complete pack speaks the centre's rather than nothing.
      let langs = among(only || []);
      if (!langs.length) langs = among(Object.keys(audio));
      if (!enabled || !langs.length) return;
      const parts = langs.map((lang, index) => {
        let urls = pool[lang];
        // One chime per call: when this lobby starts with another language, it keeps the call's chime.
        const chime = (Object.values(audio)[0] || Object.values(pool)[0])[0];
        if (index === 0 && urls[0] !== chime && /chime\.wav/.test(chime)) urls = [chime, ...urls];
        if (index > 0 && urls[0] === chime) urls = urls.slice(1);
        return { lang, urls };
      });
      const languages = langs.map((lang) => ({ lang, name: names[lang] || lang }));
      const recall = Boolean(announce.recall);
      const call = {
        parts,
        speaking: (index) => ({ lang: langs[index], name: languages[index].name, recall, languages }),
      };
      if (context) parts.forEach((part) => part.urls.forEach(decoded)); // fetch while an earlier call is spoken
      queue.push(call);
      drain();
    },
    /** listener({lang, name, recall, languages}) as each language of a call starts; null when it ends. */
    onSpeaking(listener) { speakingListeners.push(listener); },
    enable,
    disable() { setEnabled(false); },
    preload,
    onChange(listener) { listeners.push(listener); },
    get enabled() { return enabled; },
    get pending() { return queue.length; },
    get log() { return started.slice(); },
  };
})();
