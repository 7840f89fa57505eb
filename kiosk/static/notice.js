/* The kiosk's guide screen shows the service's 一次性告知 when the hall has written it:
   the fragment the server draws (GET /kiosk/<unit>/notice/<service>) replaces the free-text
   guide. Without it, or offline, the free-text guide stays. */
(function () {
  "use strict";

  let asked = null;  // the service whose notice is on its way; a later touch wins

  async function load(unit, service, box) {
    asked = service;
    try {
      const response = await fetch("/kiosk/" + encodeURIComponent(unit) + "/notice/" + encodeURIComponent(service),
                                   { credentials: "same-origin" });
      if (!response.ok || asked !== service) return;
      const fragment = document.createRange().createContextualFragment(await response.text());
      if (fragment.querySelector("[data-written]")) box.replaceChildren(fragment);
    } catch (error) { /* the free-text guide says enough */ }
  }

  window.QNotice = { load };
})();
