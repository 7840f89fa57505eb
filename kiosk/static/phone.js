/* The visitor's ticket on their phone, live: number, status, people ahead, the wait; when
   called, the window to go to, with sound and vibration where the phone allows; when
   finished (served), the rating (POST /api/tickets/<token>/rating), one per visit: the
   overall level, and for a bad one its reasons, the visitor's words and a call-back number.
   Rated there or at the window's tablet, the page says thanks and stops asking. While it
   waits, the visitor may leave the line (POST /api/tickets/<token>/cancel), once confirmed,
   and, where the hall sends texts, leave a mobile number or stop (/api/tickets/<token>/phone).

   The page follows the hall's room and refetches its ticket (GET /api/tickets/<token>)
   when an event concerns it: its own number on its own day, or, while it waits, any
   movement in its service's line. */
(function () {
  "use strict";

  const $ = (id) => document.getElementById(id);
  $("lang-switch").addEventListener("click", () => {
    QHall.setLanguage(document.documentElement.dataset.lang === "en" ? "zh" : "en");
  });
  const root = $("phone");
  if (!root) return;  // no such ticket: the page says so

  const me = { token: root.dataset.token, unit: root.dataset.unit, day: root.dataset.day, number: root.dataset.number };
  remember();
  const badLevel = Number(root.dataset.badLevel) || 2;
  const textMe = $("text-me");  // absent where the hall sends no text messages
  const graceMinutes = Number(root.dataset.graceMinutes) || 0;
  let ticket = null;
  let hallDay = null;
  let alertsOn = false;
  let audio = null;
  let lastCall = null;  // "status:recalls" of the last call alerted

  const STATUS = {
    // A phone's ticket holds its place but is called once checked in (qhall.check_in).
    waiting: (t) => t.checked_in === false
      ? (t.turn_passed
        ? { zh: "轮到您了，请尽快到大厅签到", en: "It is your turn: please check in at the hall" }
        : { zh: "到达大厅后请签到", en: "Please check in when you arrive" })
      : { zh: "排队等候中", en: "Waiting" },
    called: (t) => ({
      zh: "请到 " + t.window + " 号窗口办理" + (t.counter_name ? "（" + t.counter_name + "）" : ""),
      en: "Please go to window " + t.window + " now",
    }),
    serving: (t) => ({ zh: "正在 " + t.window + " 号窗口办理", en: "Being served at window " + t.window }),
    finished: (t) => t.rated
      ? { zh: "已办结，感谢您的评价！", en: "Done. Thank you for your rating!" }
      : { zh: "办理完毕，感谢您的光临，再见！", en: "Done. Thank you for coming. Goodbye!" },
    // The rule of a missed call: put back once at the old place, within the grace time.
    no_show: () => graceMinutes
      ? { zh: "您已过号。请在过号后 " + graceMinutes + " 分钟内向窗口工作人员说明，可按原顺序重新排队一次。",
          en: "Your number was missed. Tell the staff at a window within " + graceMinutes + " minutes: you can be put back once at your old place." }
      : { zh: "您已过号。如需办理，请重新取号，谢谢。", en: "Your number was missed. Please take a new ticket. Thank you." },
    cancelled: () => ({ zh: "此号已取消。如需办理，欢迎重新取号。", en: "This ticket was cancelled. Take a new ticket whenever you need one." }),
  };

  function render() {
    const card = $("ticket-card");
    card.dataset.status = ticket.status;
    const text = (STATUS[ticket.status] || STATUS.waiting)(ticket);
    $("status").replaceChildren(QHall.bi(text.zh, text.en));
    const waiting = ticket.status === "waiting";
    const inLine = waiting || ticket.status === "called";
    $("alerts").hidden = !inLine;  // nothing more to be called for
    $("line-note").hidden = !inLine;
    $("figures").hidden = !waiting;
    $("ahead").textContent = ticket.ahead;
    const wait = QHall.formatWait(ticket.estimate, ticket.estimated_wait_s);
    $("wait").replaceChildren(QHall.bi(wait.zh, wait.en));
    $("cancel-box").hidden = !waiting;
    if (textMe) textMe.hidden = !inLine;
    $("check-in-box").hidden = !(waiting && ticket.checked_in === false);
    $("check-in-box").dataset.turn = ticket.turn_passed ? "yes" : "no";
    $("turn-note").hidden = !ticket.turn_passed;
    $("check-in-code").textContent = ticket.check_in_code || "";
    if (!waiting) $("cancel-confirm").hidden = true;
    if (ticket.status === "finished" && ticket.rated) showRated();
    else if (ticket.status === "finished") loadRating();
    const call = ticket.status === "called" ? "called:" + ticket.recalls : null;
    if (call && call !== lastCall) alert();
    lastCall = call;
  }

  async function refresh() {
    try {
      ticket = await QHall.api("GET", "/api/tickets/" + encodeURIComponent(me.token));
      render();
    } catch (error) { /* offline: the badge says so, and the next event or snapshot retries */ }
  }

  let soon = null;
  function refreshSoon() {
    // Every phone in the hall hears the same event: spread their refreshes over a few
    // seconds, so that a call does not bring every visitor's request at the same instant.
    clearTimeout(soon);
    soon = setTimeout(refresh, 600 + Math.random() * 2400);
  }

  // The hall's check-in QR code opens a page (phone-check-in.js) that checks in the tickets
  // this phone follows: it finds their tokens here. Only the last few days' are kept.
  function remember() {
    try {
      const kept = JSON.parse(localStorage.getItem("qhall-tickets") || "[]")
        .filter((t) => t && t.token !== me.token).slice(-4);
      kept.push({ token: me.token, unit: me.unit, day: me.day, number: me.number });
      localStorage.setItem("qhall-tickets", JSON.stringify(kept));
    } catch (error) { /* private browsing: checking in at the kiosk still works */ }
  }

  // --- sound and vibration when called ---------------------------------------------------

  function alert() {
    if (navigator.vibrate) navigator.vibrate([400, 200, 400, 200, 400]);
    if (!alertsOn || !audio) return;
    const start = audio.currentTime;
    for (let i = 0; i < 3; i++) {  // three short tones
      const tone = audio.createOscillator();
      const gain = audio.createGain();
      tone.frequency.value = 880;
      gain.gain.setValueAtTime(0.4, start + i * 0.5);
      gain.gain.setValueAtTime(0, start + i * 0.5 + 0.3);
      tone.connect(gain).connect(audio.destination);
      tone.start(start + i * 0.5);
      tone.stop(start + i * 0.5 + 0.35);
    }
  }

  $("alerts").addEventListener("click", () => {
    // Phones play sound only after a touch: this touch unlocks it for the call.
    const Context = window.AudioContext || window.webkitAudioContext;
    if (Context && !audio) audio = new Context();
    if (audio && audio.state === "suspended") audio.resume();
    alertsOn = true;
    $("alerts").setAttribute("aria-pressed", "true");
    $("alerts").replaceChildren(QHall.bi("已开启叫号提醒", "Call alerts are on"));
    if (navigator.vibrate) navigator.vibrate(100);
  });

  // --- rating the visit ----------------------------------------------------------------

  const rating = { level: null, key: QHall.uuid(), loaded: false };
  const ratingUrl = "/api/tickets/" + encodeURIComponent(me.token) + "/rating";

  async function loadRating() {
    if (rating.loaded) return;
    try {
      const answer = await QHall.api("GET", ratingUrl);
      rating.loaded = true;
      $("rating").hidden = !answer.can_rate;
      $("rate-link").hidden = !answer.can_rate;
      $("rated").hidden = !answer.rating;
    } catch (error) { /* tried again on the next refresh */ }
  }

  function showRated() {
    // Rated on this phone or at the window's tablet: thanks, and no more asking.
    $("rating").hidden = true;
    $("rate-link").hidden = true;
    $("rated").hidden = false;
  }

  $("levels").addEventListener("click", (event) => {
    const button = event.target.closest("[data-level]");
    if (!button) return;
    rating.level = Number(button.dataset.level);
    for (const other of $("levels").querySelectorAll("[data-level]")) {
      other.setAttribute("aria-pressed", other === button ? "true" : "false");
    }
    $("reason-box").hidden = rating.level > badLevel;  // a bad rating says why
    $("rate-submit").disabled = false;
  });

  $("reasons").addEventListener("click", (event) => {
    const chip = event.target.closest("[data-reason]");
    if (chip) chip.setAttribute("aria-pressed", String(chip.getAttribute("aria-pressed") !== "true"));
  });

  function rateError(zh, en) {
    $("rate-error").replaceChildren(QHall.bi(zh, en));
    $("rate-error").hidden = false;
  }

  $("rate-submit").addEventListener("click", async () => {
    $("rate-error").hidden = true;
    const body = { level: rating.level };
    const bad = rating.level <= badLevel;
    if (bad) {
      const chosen = [...$("reasons").querySelectorAll('[aria-pressed="true"]')];
      body.reasons = chosen.map((chip) => chip.dataset.reason);
      body.words = $("reason").value.trim();
      body.callback_phone = $("callback-phone").value.trim();
      if (!chosen.length) {
        rateError("请至少选择一项原因，谢谢。", "Please choose at least one reason. Thank you.");
        return;
      }
      if (chosen.some((chip) => chip.hasAttribute("data-explain")) && !body.words) {
        rateError("选择“其他”时，请简单写几句原因，谢谢。", "Please add a few words to say what went wrong. Thank you.");
        return;
      }
    }
    $("rate-submit").disabled = true;
    try {
      await QHall.api("POST", ratingUrl, body, { key: rating.key });
      showRated();
      $("rated-followup").hidden = !(bad && body.callback_phone);
    } catch (error) {
      const message = error instanceof QHall.ApiError ? error
        : { zh: "网络不通，请稍后再试。", en: "No connection; please try again." };
      rateError(message.zh, message.en);
      $("rate-submit").disabled = false;
    }
  });

  // --- leaving the line ------------------------------------------------------------------

  $("cancel-ask").addEventListener("click", () => {
    $("cancel-error").hidden = true;
    $("cancel-confirm").hidden = false;
    $("cancel-yes").focus();
  });
  $("cancel-keep").addEventListener("click", () => { $("cancel-confirm").hidden = true; });
  $("cancel-yes").addEventListener("click", async () => {
    $("cancel-yes").disabled = true;
    try {
      await QHall.api("POST", "/api/tickets/" + encodeURIComponent(me.token) + "/cancel", undefined,
                      { key: QHall.uuid() });
      $("cancel-done").hidden = false;
    } catch (error) {
      // Called meanwhile, say: the server's words say so, and the page shows the new state.
      const message = error instanceof QHall.ApiError ? error
        : { zh: "网络不通，请稍后再试。", en: "No connection; please try again." };
      $("cancel-error").replaceChildren(QHall.bi(message.zh, message.en));
      $("cancel-error").hidden = false;
    }
    $("cancel-yes").disabled = false;
    $("cancel-confirm").hidden = true;
    refresh();
  });

  // --- text messages (短信提醒) ------------------------------------------------------------

  if (textMe) {
    const phoneUrl = "/api/tickets/" + encodeURIComponent(me.token) + "/phone";
    const show = (saved) => {
      $("text-me-form").hidden = saved;
      $("text-me-saved").hidden = !saved;
      $("text-me-error").hidden = true;
    };
    const failed = (error) => {
      const message = error instanceof QHall.ApiError ? error
        : { zh: "网络不通，请稍后再试。", en: "No connection; please try again." };
      $("text-me-error").replaceChildren(QHall.bi(message.zh, message.en));
      $("text-me-error").hidden = false;
    };
    $("text-me-save").addEventListener("click", async () => {
      $("text-me-save").disabled = true;
      try {
        const answer = await QHall.api("POST", phoneUrl, { phone: $("text-me-phone").value.trim() });
        $("text-me-number").textContent = answer.phone;  // masked: the page never shows it whole
        $("text-me-phone").value = "";
        $("text-me-stopped").hidden = true;
        show(true);
      } catch (error) { failed(error); }
      $("text-me-save").disabled = false;
    });
    $("text-me-stop").addEventListener("click", async () => {
      $("text-me-stop").disabled = true;
      try {
        await QHall.api("DELETE", phoneUrl);
        show(false);
        $("text-me-stopped").hidden = false;
      } catch (error) { failed(error); }
      $("text-me-stop").disabled = false;
    });
  }

  // --- the live hall -------------------------------------------------------------------

  QHall.connectHall({ unit: me.unit }, {
    onSnapshot(snapshot) {
      hallDay = snapshot.day;
      refresh();
    },
    onEvent(name, payload) {
      if (hallDay !== me.day) return;  // a ticket of another day: today's numbers are not it
      const view = payload.ticket_view;
      const rated = payload.rating && payload.rating.number === me.number;  // the tablet's too
      if ((view && view.number === me.number) || rated) {
        refresh();
      } else if (ticket && ticket.status === "waiting" &&
                 ((view && view.service === ticket.service) || name.startsWith("counter."))) {
        refreshSoon();  // the line moved, or windows opened or closed: the wait changes
      }
    },
  });
  refresh();
})();
