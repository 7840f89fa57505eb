/* The rating: on the tablet facing the visitor at a window, it wakes when the window
   finishes a visit ("ticket.finished" in the window's room) and goes back to its welcome
   after thanks; on the visitor's phone, it rates the ticket its token names. One rating
   per visit: the server refuses a second. */
(function () {
  "use strict";

  const $ = (selector) => document.querySelector(selector);
  const box = $("#rate");
  const unit = box.dataset.unit;
  const windowNo = box.dataset.window ? Number(box.dataset.window) : null;
  const token = box.dataset.token;
  const THANKS_MS = 10000;  // the thanks stay this long before the tablet's welcome returns
  const ASK_MS = 120000;    // an unanswered question goes away after this long
  let number = null;        // the visit being rated
  let level = null;
  let sending = false;
  let backTimer = null;

  function show(section) {
    for (const id of ["rate-idle", "rate-ask", "rate-reason", "rate-thanks", "rate-closed"]) {
      $("#" + id).hidden = id !== section;
    }
    $("#rate-message").replaceChildren();
    clearTimeout(backTimer);
    if (windowNo && section !== "rate-idle") {
      backTimer = setTimeout(() => show("rate-idle"), section === "rate-thanks" ? THANKS_MS : ASK_MS);
    }
  }

  function ask(visit) {
    number = visit;
    level = null;
    $("#rate-number").replaceChildren(QHall.bi("您的号码 " + visit, "Your number " + visit));
    for (const b of document.querySelectorAll("[data-reason]")) b.setAttribute("aria-pressed", "false");
    $("#rate-words").value = "";
    show("rate-ask");
  }

  for (const b of document.querySelectorAll("[data-level]")) {
    b.addEventListener("click", () => {
      level = Number(b.dataset.level);
      if (level <= 2) show("rate-reason");
      else send("");
    });
  }
  for (const b of document.querySelectorAll("[data-reason]")) {
    b.addEventListener("click", () => b.setAttribute("aria-pressed", String(b.getAttribute("aria-pressed") !== "true")));
  }
  $("#rate-back").addEventListener("click", () => show("rate-ask"));
  $("#rate-send").addEventListener("click", () => {
    const chosen = [...document.querySelectorAll('[data-reason][aria-pressed="true"]')].map((b) => b.dataset.reason);
    const words = $("#rate-words").value.trim();
    const reason = [...chosen, words].filter(Boolean).join("；");
    if (!reason) {
      $("#rate-reason-message").replaceChildren(QHall.bi("请至少选择一项原因，谢谢。", "Please choose at least one reason. Thank you."));
      return;
    }
    send(reason);
  });

  async function send(reason) {
    if (sending) return;  // one rating per visit: a double touch sends once
    sending = true;
    try {
      const url = token
        ? "/api/tickets/" + encodeURIComponent(token) + "/rating"
        : "/api/units/" + encodeURIComponent(unit) + "/counters/" + windowNo + "/rating";
      const body = token ? { level, reason } : { number, level, reason };
      await QHall.api("POST", url, body);
      $("#rate-followup").hidden = level > 2;
      show("rate-thanks");
    } catch (error) {
      if (error.status === 409) {
        $("#rate-followup").hidden = true;
        show("rate-thanks");  // already rated: thank them all the same
      } else {
        $("#rate-message").replaceChildren(QHall.bi(error.zh || "网络不通，请稍后再试。", error.en || "Could not send. Please try again."));
      }
    } finally {
      sending = false;
    }
  }

  function startTablet() {
    QHall.connectHall({ unit, counter: windowNo }, {
      onSnapshot: async () => {
        // After a (re)connect: a visit finished meanwhile may still be waiting for its rating.
        if ($("#rate-idle").hidden) return;
        try {
          const prompt = await QHall.api("GET", "/api/units/" + encodeURIComponent(unit) + "/counters/" + windowNo + "/rating");
          if (prompt.number && prompt.number !== number) ask(prompt.number);
        } catch (error) { /* the welcome stays */ }
      },
      onEvent: (name, payload) => {
        if (name !== "ticket.finished" || !payload.counter_view || payload.counter_view.window !== windowNo) return;
        ask(payload.ticket_view.number);
      },
    });
  }

  async function startPhone() {
    try {
      const state = await QHall.api("GET", "/api/tickets/" + encodeURIComponent(token) + "/rating");
      if (state.can_rate) ask(state.number);
      else if (state.rating) { $("#rate-followup").hidden = true; show("rate-thanks"); }
      else {
        $("#rate-closed-text").replaceChildren(QHall.bi("业务办结后即可评价，谢谢您的耐心。", "You can rate once your visit is finished. Thank you for waiting."));
        show("rate-closed");
      }
    } catch (error) {
      $("#rate-closed-text").replaceChildren(QHall.bi(error.zh || "网络不通，请稍后再试。", error.en || "Please try again."));
      show("rate-closed");
    }
  }

  if (token) startPhone(); else startTablet();
})();
