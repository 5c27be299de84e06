/* A citizen's phone: live position of one ticket, and a loud alert when called. */
(function () {
  "use strict";
  const root = document.querySelector(".ticket-status");
  const token = root.dataset.token;
  const text = JSON.parse(document.getElementById("ticket-text").textContent);
  const en = Hub.lang() === "en";

  function render(ticket) {
    document.getElementById("ticket-number").textContent = ticket.number;
    document.getElementById("ticket-service").textContent = en ? (ticket.service_name_en || ticket.service_name) : ticket.service_name;
    const state = document.getElementById("ticket-state");
    const banner = document.getElementById("called-banner");
    const where = ticket.counter_name || ticket.counter;
    banner.hidden = true;
    if (ticket.status === "waiting") {
      state.textContent = `${text.ahead.replace("{n}", ticket.people_ahead)} · ${text.wait.replace("{m}", Hub.minutes(ticket.estimated_wait_s))}`;
    } else if (ticket.status === "called") {
      state.textContent = "";
      banner.textContent = text.called.replace("{counter}", where);
      banner.hidden = false;
      if (navigator.vibrate) navigator.vibrate([400, 200, 400, 200, 400]);
      beep();
    } else if (ticket.status === "serving") {
      state.textContent = text.serving.replace("{counter}", where);
    } else {
      state.textContent = text[ticket.status] || ticket.status;
    }
  }
  function beep() {
    try {
      const context = new (window.AudioContext || window.webkitAudioContext)();
      const osc = context.createOscillator(); osc.frequency.value = 880;
      osc.connect(context.destination); osc.start(); osc.stop(context.currentTime + 0.6);
    } catch (e) { /* sound blocked until a tap: the banner and vibration still show */ }
  }
  Hub.connect({ ticket: token }, {
    snapshot(data) { document.getElementById("centre-name").textContent = data.centre.name; render(data.ticket); },
    ticket(data) { render(data); },
  });
})();
