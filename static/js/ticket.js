/* A citizen's phone: live position of one ticket, and a loud alert when called.

   Phones block sound (and often vibration) until the person taps the page, so the
   page asks for one tap ("turn on sound and vibration") and keeps the audio context
   that tap unlocked.  The position follows every `queue` event: the page asks for a
   fresh snapshot of its ticket (at most once a second).

   A number taken by phone (`ticket.remote`, issue 17) also shows whether it is checked
   in, the rule for losing its place (and when it has), what to bring, and an "I am
   here" button (POST …/check-in, accepted on the centre's network); when at most
   `near_ahead` people are ahead the page says "come now" and alerts once. */
(function () {
  "use strict";
  const root = document.querySelector(".ticket-status");
  const token = root.dataset.token;
  const text = JSON.parse(document.getElementById("ticket-text").textContent);
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

  function alertNear() {
    if (navigator.vibrate) navigator.vibrate([200, 100, 200, 100, 200]);
    tone(0.3, 0.5);
    setTimeout(() => tone(0.3, 0.5), 500);
  }

  // A number taken by phone: checked in or not, near or not, its place kept or lost.
  const remoteBox = document.getElementById("remote-box");
  const hereButton = document.getElementById("remote-here");
  const hereError = document.getElementById("remote-here-error");
  const nearKey = `motcua-near-${token}`;
  function renderRemote(ticket) {
    const r = ticket.remote;
    remoteBox.hidden = !r;
    if (!r) return;
    const away = ticket.status === "remote";
    const lostEl = document.getElementById("remote-lost");
    const nearEl = document.getElementById("remote-near");
    const bring = Hub.localized(r, "bring");
    document.getElementById("remote-checkin").hidden = !away;
    lostEl.hidden = !(away && r.lost_place);
    lostEl.textContent = text.remote_lost;
    const open = away || ticket.status === "waiting";
    const near = open && ticket.people_ahead <= r.near_ahead && !(away && r.lost_place);
    nearEl.hidden = !near;
    nearEl.textContent = away ? text.near_come : text.near_here;
    remoteBox.classList.toggle("is-near", near);
    if (near && !sessionStorage.getItem(nearKey)) {
      sessionStorage.setItem(nearKey, "1");  // once per number, even across reloads
      alertNear();
    }
    document.getElementById("remote-state").textContent = away
      ? (r.lost_place ? "" : text.remote_rule.replace("{k}", r.lose_place_after))
      : (ticket.status === "waiting" ? text.remote_checked_in : "");
    const bringEl = document.getElementById("remote-bring");
    bringEl.hidden = !bring || !open;
    bringEl.textContent = text.bring.replace("{what}", bring || "");
  }
  hereButton.addEventListener("click", async () => {
    hereButton.disabled = true;
    hereError.hidden = true;
    try {
      const answer = await Hub.api("POST", `/api/v1/tickets/by-token/${encodeURIComponent(token)}/check-in`);
      render(answer.data);
    } catch (e) {
      hereError.textContent = e.message;
      hereError.hidden = false;
    } finally {
      hereButton.disabled = false;
    }
  });

  function render(ticket) {
    document.getElementById("ticket-number").textContent = ticket.number;
    document.getElementById("ticket-service").textContent = Hub.localized(ticket, "service_name");
    const state = document.getElementById("ticket-state");
    const banner = document.getElementById("called-banner");
    const where = Hub.localized(ticket, "counter_name") || ticket.counter;
    banner.hidden = true;
    root.dataset.status = ticket.status;
    if (ticket.status === "waiting") {
      state.textContent = `${text.ahead.replace("{n}", ticket.people_ahead)} · ${text.wait.replace("{m}", Hub.minutes(ticket.estimated_wait_s))}`;
    } else if (ticket.status === "remote") {
      state.textContent = text.remote.replace("{n}", ticket.people_ahead).replace("{m}", Hub.minutes(ticket.estimated_wait_s));
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
    renderRemote(ticket);
  }

  let refresh = null;
  const socket = Hub.connect({ ticket: token }, {
    snapshot(data) { document.getElementById("centre-name").textContent = data.centre.name; render(data.ticket); },
    ticket(data) { render(data); },
    call() { alertCalled(); },  // each call and recall of this ticket, never a mere refresh
    queue() {
      if (refresh || (last !== "waiting" && last !== "remote")) return;
      refresh = setTimeout(() => { refresh = null; socket.refresh(); }, 1000);
    },
  });
})();
