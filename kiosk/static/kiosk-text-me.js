/* The kiosk's "text me" (短信提醒) on the ticket screen, where the hall sends texts: the
   visitor types a mobile number on a keypad over the screen, and qhall texts it when their
   turn is near and when they are called (POST /api/tickets/<token>/phone, the ticket's
   own token; qhall.texts). kiosk.js tells which ticket is shown ("kiosk:ticket"); every
   touch keeps the kiosk from going back to its home screen meanwhile. */
(function () {
  "use strict";

  const $ = (id) => document.getElementById(id);
  const MOBILE = /^1\d{10}$/;
  let token = null;
  let digits = "";

  function spaced(number) {  // 138 1234 5678, as people read a number
    return [number.slice(0, 3), number.slice(3, 7), number.slice(7)].filter(Boolean).join(" ");
  }
  function render() {
    $("text-me-number").textContent = spaced(digits) || "—";
    $("text-me-send").disabled = !MOBILE.test(digits);
  }
  function say(zh, en) {
    $("text-me-said").replaceChildren(QHall.bi(zh, en));
    $("text-me-said").hidden = false;
  }
  function close() { $("text-me-panel").hidden = true; }

  document.addEventListener("kiosk:ticket", (event) => {
    token = event.detail.token;
    digits = "";
    close();
    $("text-me-said").hidden = true;
    $("text-me-open").hidden = false;
  });

  $("text-me-open").addEventListener("click", () => {
    digits = "";
    render();
    $("text-me-panel").hidden = false;
  });
  $("text-me-cancel").addEventListener("click", close);
  $("text-me-panel").addEventListener("click", (event) => {
    const key = event.target.closest("[data-key]");
    if (!key) return;
    if (key.dataset.key === "back") digits = digits.slice(0, -1);
    else if (digits.length < 11) digits += key.dataset.key;
    render();
  });
  $("text-me-send").addEventListener("click", async () => {
    if (!token || !MOBILE.test(digits)) return;
    $("text-me-send").disabled = true;
    try {
      const kept = await QHall.api("POST", "/api/tickets/" + encodeURIComponent(token) + "/phone", { phone: digits });
      close();
      $("text-me-open").hidden = true;
      say("好的，前面还有 " + kept.near_ahead + " 位时和叫到您时，将发短信至 " + kept.phone + "。",
          "We will text " + kept.phone + " when " + kept.near_ahead + " are ahead of you, and when you are called.");
    } catch (error) {
      close();
      const answered = error instanceof QHall.ApiError;
      say(answered ? error.zh : "抱歉，暂时无法设置短信提醒，请留意叫号。",
          answered ? error.en : "Sorry, text messages cannot be set up right now. Please listen for your number.");
    }
    digits = "";
  });
})();
