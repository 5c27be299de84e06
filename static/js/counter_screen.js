/* The screen at one counter: its name, clerk and fields, the number being
   served (or why the counter is paused); after "finish", the satisfaction
   rating: five levels, reasons when low, 30 s then back; once per ticket.
   The next call at this counter ends the rating at once (a score already
   chosen is stored first): the new number must never hide behind it. */
(function () {
  "use strict";
  const TIMEOUT_MS = 30000;
  const THANKS_MS = 4000;
  const LOW_SCORE = 2; // at or below: ask what was wrong
  const root = document.querySelector(".counter-screen");
  const number = parseInt(root.dataset.counter, 10);
  const text = JSON.parse(document.getElementById("screen-text").textContent);
  const $ = (id) => document.getElementById(id);
  const buttons = document.querySelector(".rating-buttons");
  const offered = new Set(); // ticket ids: a ticket is offered the rating once, even if its event repeats
  let serviceNames = {};
  let rating = null;         // {id, key, score, sent} while the rating screen is up
  let timer = null;

  function render(counter) {
    $("counter-name").textContent = Hub.localized(counter);
    $("clerk-name").textContent = counter.clerk || "";
    const names = counter.services.map((code) => serviceNames[code] || code);
    $("counter-fields").textContent = names.length ? text.fields.replace("{fields}", names.join(" · ")) : "";
    $("serving-number").textContent = counter.current ? counter.current.number : "—";
    const paused = counter.state === "paused";
    $("paused").hidden = !paused;
    $("pause-reason").textContent = Hub.pauseReason(counter.pause_reason);
    root.dataset.state = paused ? "paused" : counter.current ? "serving" : "idle";
  }

  function show(rate) { $("serving").hidden = rate; $("rating").hidden = !rate; }
  function later(ms, then) { clearTimeout(timer); timer = setTimeout(then, ms); }
  function close() { clearTimeout(timer); rating = null; show(false); }

  function openRating(ticket) {
    if (offered.has(ticket.id)) return;
    offered.add(ticket.id);
    rating = { id: ticket.id, key: ticket.rating_key, score: null, sent: false }; // the key proves this screen saw it finished
    $("rating-ticket").textContent = text.ticket.replace("{number}", ticket.number);
    buttons.hidden = false;
    $("rating").classList.remove("asking-reason");
    $("rating-reasons").hidden = true;
    $("rating-thanks").hidden = true;
    document.querySelectorAll("#rating-reasons input").forEach((box) => { box.checked = false; });
    document.querySelectorAll("[data-score]").forEach((b) => b.classList.remove("chosen"));
    show(true);
    // A low score chosen but never sent is still worth storing.
    later(TIMEOUT_MS, () => (rating && rating.score ? send() : close()));
  }

  function store(current) {
    current.sent = true;
    const reasons = [...document.querySelectorAll("#rating-reasons input:checked")].map((box) => box.value);
    return Hub.api("POST", `/api/v1/tickets/${current.id}/rating`, { score: current.score, reasons, key: current.key })
      .catch(() => { /* already rated (a double tap, a second screen): thank all the same */ });
  }

  async function send() {
    if (!rating || rating.sent) return;
    const current = rating;
    await store(current);
    if (rating !== current) return; // the next citizen was called meanwhile
    buttons.hidden = true;
    $("rating-reasons").hidden = true;
    $("rating-thanks").hidden = false;
    later(THANKS_MS, close);
  }

  document.querySelectorAll("[data-score]").forEach((button) => button.addEventListener("click", () => {
    if (!rating || rating.sent) return;
    rating.score = parseInt(button.dataset.score, 10);
    document.querySelectorAll("[data-score]").forEach((b) => b.classList.toggle("chosen", b === button));
    if (rating.score > LOW_SCORE) { send(); return; }
    $("rating").classList.add("asking-reason");
    $("rating-reasons").hidden = false;
    later(TIMEOUT_MS, send);
  }));
  $("send-reasons").addEventListener("click", send);

  /** The clerk called someone: store a score already chosen, then show the new number now. */
  function interrupt(ticketId) {
    if (!rating || rating.id === ticketId) return;
    if (rating.score && !rating.sent) store(rating);
    close();
  }

  function flash() {
    const box = $("serving-number");
    box.classList.remove("flash"); void box.offsetWidth; box.classList.add("flash");
  }

  Hub.connect({ counter: number }, {
    snapshot(data) {
      serviceNames = Object.fromEntries(data.services.map((s) => [s.code, Hub.localized(s)]));
      if (data.counter.current) interrupt(data.counter.current.id);
      render(data.counter);
    },
    counter(data) {
      if (data.number !== number) return;
      if (data.current) interrupt(data.current.id);
      render(data);
    },
    call(data) { if (data.counter === number) { interrupt(data.id); flash(); } },
    ticket(data) { if (data.counter === number && data.status === "done") openRating(data); },
  });
})();
