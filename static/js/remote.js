/* /remote: a citizen's phone takes a number before leaving home, then opens the
   number's own page (/t/{token}), which follows the queue and says when to come. */
(function () {
  "use strict";
  const form = document.getElementById("remote-form");
  if (!form) return;
  const text = JSON.parse(document.getElementById("remote-text").textContent);
  const error = document.getElementById("remote-error");
  const button = document.getElementById("remote-take");

  function show(message) {
    error.textContent = message;
    error.hidden = !message;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const chosen = form.querySelector("input[name=service]:checked");
    const phone = form.elements.phone.value.trim();
    if (!chosen) return show(text.choose);
    if (!phone) { form.elements.phone.focus(); return show(text.phone); }
    show("");
    button.disabled = true;
    const label = button.textContent;
    button.textContent = text.busy;
    try {
      const answer = await Hub.api("POST", "/api/v1/remote-tickets", {
        service: chosen.value, phone, citizen_id: form.elements.citizen_id.value.trim(),
      });
      // The number's page, on this hub (its status_url may name the public address).
      window.location.assign(`/t/${encodeURIComponent(answer.data.token)}?lang=${document.documentElement.lang}`);
    } catch (e) {
      show(e.status ? e.message : text.offline);
      button.disabled = false;
      button.textContent = label;
    }
  });
})();
