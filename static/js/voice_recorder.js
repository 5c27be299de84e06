/* Records a voice pack's clips in the browser (/admin/voices/CODE).

   Record → the microphone through MediaRecorder; Stop → the take is decoded,
   mixed to mono 16 kHz and posted as a 16-bit WAV; the hub trims the silence
   at both ends and levels it with sox (display/audio.py) and answers the
   stored clip's URL, which Listen plays.  Recording again replaces the clip. */
(function () {
  "use strict";
  const root = document.getElementById("voice-recorder");
  if (!root) return;
  const RATE = 16000;
  const csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  let stream = null;
  let active = null; // {row, recorder, chunks}

  function wav(samples) {
    const out = new DataView(new ArrayBuffer(44 + samples.length * 2));
    const text = (at, s) => [...s].forEach((c, i) => out.setUint8(at + i, c.charCodeAt(0)));
    text(0, "RIFF"); out.setUint32(4, 36 + samples.length * 2, true); text(8, "WAVE");
    text(12, "fmt "); out.setUint32(16, 16, true); out.setUint16(20, 1, true); out.setUint16(22, 1, true);
    out.setUint32(24, RATE, true); out.setUint32(28, RATE * 2, true); out.setUint16(32, 2, true); out.setUint16(34, 16, true);
    text(36, "data"); out.setUint32(40, samples.length * 2, true);
    samples.forEach((v, i) => out.setInt16(44 + i * 2, Math.max(-1, Math.min(1, v)) * 0x7fff, true));
    return new Blob([out.buffer], { type: "audio/wav" });
  }

  async function toWav(blob) {
    const data = await blob.arrayBuffer();
    const decoded = await new AudioContext().decodeAudioData(data);
    const offline = new OfflineAudioContext(1, Math.ceil(decoded.duration * RATE), RATE);
    const source = offline.createBufferSource();
    source.buffer = decoded; source.connect(offline.destination); source.start();
    return wav((await offline.startRendering()).getChannelData(0));
  }

  function show(row, state) {
    row.querySelector(".record").hidden = state === "recording";
    row.querySelector(".stop").hidden = state !== "recording";
    row.dataset.state = state;
  }

  async function start(row) {
    if (active) return;
    row.querySelector(".clip-error").textContent = "";
    // Browsers give the microphone only to https:// pages and to the machine itself (localhost).
    if (!navigator.mediaDevices || !window.MediaRecorder) throw new Error(root.dataset.noMicrophone);
    stream = stream || await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: false, noiseSuppression: true } });
    const recorder = new MediaRecorder(stream);
    active = { row, recorder, chunks: [] };
    recorder.ondataavailable = (event) => active && active.chunks.push(event.data);
    recorder.start();
    show(row, "recording");
  }

  async function stop() {
    if (!active) return;
    const { row, recorder, chunks } = active;
    await new Promise((resolve) => { recorder.onstop = resolve; recorder.stop(); });
    active = null;
    show(row, "saving");
    try {
      const body = await toWav(new Blob(chunks, { type: recorder.mimeType }));
      const response = await fetch(root.dataset.upload + row.dataset.slug, {
        method: "POST", body, headers: { "Content-Type": "audio/wav", "X-CSRFToken": csrf, "Accept": "application/json" },
      });
      const answer = await response.json();
      if (!response.ok) throw new Error(answer.message || response.statusText);
      row.dataset.url = answer.url;
      row.querySelector(".clip-length").textContent = `${(answer.duration_ms / 1000).toFixed(1)} s`;
      row.querySelector(".play").disabled = false;
      show(row, "recorded");
      play(row); // hear it back at once
    } catch (error) {
      row.querySelector(".clip-error").textContent = String(error.message || error);
      show(row, row.dataset.url ? "recorded" : "missing");
    }
  }

  function play(row) {
    if (row.dataset.url) new Audio(row.dataset.url).play().catch(() => {});
  }

  root.addEventListener("click", (event) => {
    const row = event.target.closest("tr.clip");
    if (!row) return;
    if (event.target.classList.contains("record")) start(row).catch((error) => { row.querySelector(".clip-error").textContent = String(error.message || error); });
    else if (event.target.classList.contains("stop")) stop();
    else if (event.target.classList.contains("play")) play(row);
  });
})();
