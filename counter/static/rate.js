/* The rating (好差评).

   On the registered tablet facing the visitor at a window: the tablet is given its secret
   once in its address (?device=…), keeps it and takes it out of the address, and shows it
   with every request (X-Device-Token); without one it says it is not registered. When the
   window finishes a visit ("ticket.finished" in the window's room) it asks the server which
   visit it may ask about (the one the window finished last, not yet rated) and asks: the
   overall level, then 服务效率, 服务水平 and 服务态度; a rating of 不满意 or below asks why,
   and offers the call-back. It goes back to its welcome after thanks, after two minutes
   untouched, or when the window starts serving the next visitor.

   On the visitor's phone (/counter/rating/<token>): the overall level only, and why if bad.
   One rating per visit: the server refuses a second. */
(function () {
  "use strict";

  const $ = (selector) => document.querySelector(selector);
  const $$ = (selector) => [...document.querySelectorAll(selector)];
  const box = $("#rate");
  const unit = box.dataset.unit;
  const windowNo = box.dataset.window ? Number(box.dataset.window) : null;
  const token = box.dataset.token;
  const badLevel = Number(box.dataset.badLevel) || 2;
  const SECTIONS = ["rate-idle", "rate-ask", "rate-dims", "rate-reason", "rate-thanks", "rate-closed"];
  const THANKS_MS = 10000;  // the thanks stay this long before the tablet's welcome returns
  const ASK_MS = 120000;    // a question untouched this long goes away
  const OFFLINE = { zh: "网络不通，请稍后再试。", en: "Could not send. Please try again." };

  let device = "";
  if (!token) {
    // The tablet's secret comes once, in its address; it is kept here, out of the address,
    // where a visitor could read it.
    const deviceKey = "qhall-tablet:" + unit + ":" + windowNo;
    const params = new URLSearchParams(location.search);
    if (params.has("device")) {
      localStorage.setItem(deviceKey, params.get("device"));
      params.delete("device");
      history.replaceState(null, "", location.pathname + (params.toString() ? "?" + params : ""));
    }
    device = localStorage.getItem(deviceKey) || "";
  }
  const promptUrl = "/api/units/" + encodeURIComponent(unit) + "/counters/" + windowNo + "/rating";
  const sendUrl = token ? "/api/tickets/" + encodeURIComponent(token) + "/rating" : promptUrl;
  const headers = device ? { "X-Device-Token": device } : {};

  let visit = null;   // { number, level, scores, key }: the visit being rated
  let sending = false;
  let backTimer = null;

  function current() {
    return SECTIONS.find((id) => $("#" + id) && !$("#" + id).hidden);
  }

  function show(section) {
    for (const id of SECTIONS) {
      if ($("#" + id)) $("#" + id).hidden = id !== section;
    }
    for (const message of $$(".message")) message.replaceChildren();
    window.scrollTo(0, 0);
    keepAwake(section);
  }

  function keepAwake(section) {
    clearTimeout(backTimer);
    if (token || section === "rate-idle" || section === "rate-closed") return;
    backTimer = setTimeout(idle, section === "rate-thanks" ? THANKS_MS : ASK_MS);
  }

  function idle() {
    visit = null;
    show("rate-idle");
  }

  function say(where, error) {
    const message = error && error.zh ? error : OFFLINE;
    $(where).replaceChildren(QHall.bi(message.zh, message.en));
  }

  function pressed(buttons, chosen) {
    for (const b of buttons) b.setAttribute("aria-pressed", String(b === chosen));
  }

  function ask(number) {
    visit = { number, level: null, scores: {}, key: QHall.uuid() };
    $("#rate-number").replaceChildren(QHall.bi("您的号码 " + number, "Your number " + number));
    for (const b of $$("[data-score], [data-reason]")) b.setAttribute("aria-pressed", "false");
    $("#rate-words").value = "";
    $("#rate-phone").value = "";
    show("rate-ask");
  }

  function unregistered() {
    $("#rate-closed-text").replaceChildren(QHall.bi(
      "本评价器尚未登记，暂时无法评价。请联系大厅管理员，谢谢。",
      "This rating tablet is not registered yet. Please ask the hall's administrator. Thank you."));
    show("rate-closed");
  }

  // Any touch keeps the question up for another while.
  box.addEventListener("pointerdown", () => keepAwake(current()));

  for (const b of $$("[data-level]")) {
    b.addEventListener("click", () => {
      if (!visit) return;
      visit.level = Number(b.dataset.level);
      const bad = visit.level <= badLevel;
      if (!token) {
        $("#dims-level").replaceChildren(QHall.bi("您的总体评价：" + b.querySelector(".zh").textContent,
                                                  "Overall: " + b.querySelector(".en").textContent));
        $("#dims-next").classList.toggle("bad", bad);
        show("rate-dims");
      } else if (bad) {
        show("rate-reason");
      } else {
        send();
      }
    });
  }

  for (const group of $$("[data-dim]")) {
    const buttons = [...group.querySelectorAll("[data-score]")];
    for (const b of buttons) {
      b.addEventListener("click", () => {
        if (!visit) return;
        visit.scores[group.dataset.dim] = Number(b.dataset.score);
        pressed(buttons, b);
        $("#rate-dims-message").replaceChildren();
      });
    }
  }

  if ($("#dims-next")) {
    $("#dims-next").addEventListener("click", () => {
      const missing = $$("[data-dim]").filter((group) => !visit.scores[group.dataset.dim]);
      if (missing.length) {
        const name = missing[0].querySelector(".dim-name");
        $("#rate-dims-message").replaceChildren(QHall.bi(
          "请为“" + name.querySelector(".zh").textContent + "”打分，谢谢。",
          "Please score " + name.querySelector(".en").textContent.toLowerCase() + ". Thank you."));
        return;
      }
      if (visit.level <= badLevel) show("rate-reason");
      else send();
    });
  }

  for (const b of $$("[data-reason]")) {
    b.addEventListener("click", () => {
      b.setAttribute("aria-pressed", String(b.getAttribute("aria-pressed") !== "true"));
      $("#rate-reason-message").replaceChildren();
    });
  }
  for (const b of $$("[data-back]")) {
    b.addEventListener("click", () => show(b.dataset.back));
  }

  $("#rate-send").addEventListener("click", () => {
    const chosen = $$('[data-reason][aria-pressed="true"]');
    if (!chosen.length) {
      $("#rate-reason-message").replaceChildren(QHall.bi("请至少选择一项原因，谢谢。", "Please choose at least one reason. Thank you."));
      return;
    }
    if (chosen.some((b) => b.hasAttribute("data-explain")) && !$("#rate-words").value.trim()) {
      $("#rate-reason-message").replaceChildren(QHall.bi("选择“其他”时，请简单写几句原因，谢谢。", "Please add a few words to say what went wrong. Thank you."));
      $("#rate-words").focus();
      return;
    }
    send();
  });

  async function send() {
    if (sending || !visit) return;  // one rating per visit: a double touch sends once
    sending = true;
    const bad = visit.level <= badLevel;
    const body = { level: visit.level };
    if (!token) Object.assign(body, { number: visit.number }, visit.scores);
    if (bad) {
      body.reasons = $$('[data-reason][aria-pressed="true"]').map((b) => b.dataset.reason);
      body.words = $("#rate-words").value.trim();
      body.callback_phone = $("#rate-phone").value.trim();
    }
    const from = current();
    try {
      await QHall.api("POST", sendUrl, body, { key: visit.key, headers });
      thank(bad, Boolean(body.callback_phone));
    } catch (error) {
      if (error.status === 409) {
        thank(false, false);  // already rated: thank them all the same
      } else if (error.status === 401 || error.status === 403) {
        unregistered();
      } else {
        // Something to put right (a phone number, say) or a network down: stay and say what.
        if (error.body && error.body.field === "callback_phone") $("#rate-phone").focus();
        say(from === "rate-ask" ? "#rate-message" : "#" + from + "-message", error);
      }
    } finally {
      sending = false;
    }
  }

  function thank(bad, calledBack) {
    $("#rate-followup").hidden = !(bad && calledBack);
    $("#rate-followup-quiet").hidden = !(bad && !calledBack);
    show("rate-thanks");
  }

  async function lookForVisit() {
    // Whatever the event said, the server says which visit this tablet may ask about.
    try {
      const prompt = await QHall.api("GET", promptUrl, undefined, { headers });
      if (prompt.number && (!visit || prompt.number !== visit.number)) ask(prompt.number);
    } catch (error) {
      if (error.status === 401 || error.status === 403) unregistered();
      /* otherwise the welcome stays, and the next event or snapshot tries again */
    }
  }

  function startTablet() {
    if (!device) {
      unregistered();
      return;
    }
    QHall.connectHall({ unit, counter: windowNo }, {
      onSnapshot: () => {
        // After a (re)connect: a visit finished meanwhile may still be waiting for its rating.
        if (current() === "rate-idle") lookForVisit();
      },
      onEvent: (name, payload) => {
        if (!payload.counter_view || payload.counter_view.window !== windowNo) return;
        if (name === "ticket.finished") lookForVisit();
        // The next visitor is being served here: the last one has gone without rating.
        else if (name === "ticket.started" && current() === "rate-ask") idle();
      },
    });
  }

  async function startPhone() {
    try {
      const state = await QHall.api("GET", "/api/tickets/" + encodeURIComponent(token) + "/rating");
      if (state.can_rate) ask(state.number);
      else if (state.rating) thank(false, false);
      else {
        $("#rate-closed-text").replaceChildren(QHall.bi("业务办结后即可评价，谢谢您的耐心。", "You can rate once your visit is finished. Thank you for waiting."));
        show("rate-closed");
      }
    } catch (error) {
      $("#rate-closed-text").replaceChildren(QHall.bi(error.zh || OFFLINE.zh, error.en || OFFLINE.en));
      show("rate-closed");
    }
  }

  if (token) startPhone(); else startTablet();
})();
