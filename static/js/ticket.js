/* A citizen's phone: live position of one ticket, and a loud alert when called.

   Phones block sound (and often vibration) until the person taps the page, so the
   page asks for one tap ("turn on sound and vibration") and keeps the audio context
   that tap unlocked.  The position follows every `queue` event: the page asks for a
   fresh snapshot of its ticket (at most once a second). */
(function () {
  "use strict";
  const root = document.querySelector(".ticket-status");
  const token = root.dataset.token;
  const text = JSON.parse(document.getElementById("ticket-text").textContent);
  const en = Hub.lang() === "en";
  const alertsButton = document.getElementById("enable-alerts");
  let audio = null;
  let last = null;  // the status shown

  function unlockAlerts() {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      if (audio.state === "suspended") audio.resume();
      tone(0.15, 0.05);
    } catch (e) { audio = null; }
    if (navigator.vibrate) navigator.vibrate(80);
    alertsButton.hidden = true;
    alertsButton.dataset.enabled = "yes";
  }
  alertsButton.addEventListener("click", unlockAlerts);

  function tone(seconds, volume) {
    if (!audio) return;
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    gain.gain.value = volume;
    osc.frequency.value = 880;
    osc.connect(gain); gain.connect(audio.destination);
    osc.start(); osc.stop(audio.currentTime + seconds);
  }

  function alertCalled() {
    if (navigator.vibrate) navigator.vibrate([400, 200, 400, 200, 400]);
    tone(0.6, 0.6);
    setTimeout(() => tone(0.6, 0.6), 900);
  }

  function render(ticket) {
    document.getElementById("ticket-number").textContent = ticket.number;
    document.getElementById("ticket-service").textContent = en ? (ticket.service_name_en || ticket.service_name) : ticket.service_name;
    const state = document.getElementById("ticket-state");
    const banner = document.getElementById("called-banner");
    const where = ticket.counter_name || ticket.counter;
    banner.hidden = true;
    root.dataset.status = ticket.status;
    if (ticket.status === "waiting") {
      state.textContent = `${text.ahead.replace("{n}", ticket.people_ahead)} · ${text.wait.replace("{m}", Hub.minutes(ticket.estimated_wait_s))}`;
    } else if (ticket.status === "called") {
      state.textContent = "";
      banner.textContent = text.called.replace("{counter}", where);
      banner.hidden = false;
    } else if (ticket.status === "serving") {
      state.textContent = text.serving.replace("{counter}", where);
    } else {
      state.textContent = text[ticket.status] || ticket.status;
    }
    last = ticket.status;
  }

  let refresh = null;
  const socket = Hub.connect({ ticket: token }, {
    snapshot(data) { document.getElementById("centre-name").textContent = data.centre.name; render(data.ticket); },
    ticket(data) { render(data); },
    call() { alertCalled(); },  // each call and recall of this ticket, never a mere refresh
    queue() {
      if (refresh || last !== "waiting") return;
      refresh = setTimeout(() => { refresh = null; socket.emit("subscribe", { ticket: token }); }, 1000);
    },
  });
})();
