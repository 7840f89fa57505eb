/* What the hall's check-in QR code opens on a phone (kiosk/check_in.py): each ticket of
   this hall the phone follows (phone.js keeps their tokens in localStorage) is checked in
   with the hall's token of today (POST /api/tickets/<token>/check-in). */
(function () {
  "use strict";

  const $ = (id) => document.getElementById(id);
  const root = $("phone-check-in");
  $("lang-switch").addEventListener("click", () => {
    QHall.setLanguage(document.documentElement.dataset.lang === "en" ? "zh" : "en");
  });

  function followed() {
    try {
      const all = JSON.parse(localStorage.getItem("qhall-tickets") || "[]");
      return all.filter((t) => t && t.unit === root.dataset.unit && t.token);
    } catch (error) { return []; }
  }

  function line(zh, en, href) {
    const item = document.createElement("li");
    const text = QHall.bi(zh, en);
    if (href) {
      const link = document.createElement("a");
      link.href = href;
      link.append(text);
      item.append(link);
    } else {
      item.append(text);
    }
    $("checked").append(item);
  }

  async function checkIn() {
    const tickets = followed();
    for (const t of tickets) {
      const page = "/t/" + encodeURIComponent(t.token);
      try {
        const answer = await QHall.api("POST", page.replace("/t/", "/api/tickets/") + "/check-in",
                                       { hall: root.dataset.hall });
        const n = answer.ticket.number;
        line(n + " 已签到，前面还有 " + answer.ticket.ahead + " 人，请留意叫号。",
             n + " is checked in: " + answer.ticket.ahead + " ahead of you. Please listen for your number.", page);
      } catch (error) {
        // A ticket of an earlier day or already served says so; the others go on.
        const message = error instanceof QHall.ApiError ? error
          : { zh: "网络不通，请稍后再试。", en: "No connection; please try again." };
        line(t.number + "：" + message.zh, t.number + ": " + message.en, page);
      }
    }
    $("working").hidden = true;
    $("none").hidden = tickets.length > 0;
  }
  checkIn();
})();
