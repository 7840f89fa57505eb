/* The window client: sign in, open the window, call and serve with buttons or keys (like a
   caller keypad), watch the window's line. Registering first inquiries, accepting promised
   cases, following deadlines and rectification are in casework.js; what both use is in
   counter-base.js. Every action is one API call through QHall.api with an Idempotency-Key,
   and a button does nothing while its call is in flight, so a double click or a retry
   after a network drop never acts twice. The rules live on the server. */
(function () {
  "use strict";

  const { $, bi, desk, el, say, sayError, ask, duration, refreshWork } = QCounter;
  const { unit, base, services } = desk;
  const windowKey = "qhall-counter-window:" + unit;

  const PRIORITY = {
    elderly: ["老年人", "Elderly"],
    disabled: ["残疾人", "Disabled"],
    military: ["军人军属", "Military and families"],
    pregnant: ["孕妇及婴幼儿家长", "Pregnant or with an infant"],
    appointment: ["预约", "Appointment"],
  };
  const WINDOW_STATE = {
    open: ["服务中", "Open"],
    paused: ["暂停服务", "Paused"],
    closed: ["未开放", "Closed"],
  };
  const HAND_STATUS = {
    called: ["已呼叫，来访人到达后请按「开始办理」", "Called: press Start when the visitor arrives"],
    serving: ["办理中", "Serving"],
  };
  // The keypad at each moment: the big button (lead), the ones beside it, and what "call
  // next" does to the visitor in hand. Only a visit started, finished or registered for counts as served,
  // so while the visitor is only called the natural button is Start, and calling the next
  // one says plainly that it records a no-show (qhall/queue.py).
  const STAGES = {
    closed: { lead: "open", beside: [] },
    paused: { lead: "resume", beside: [] },
    idle: { lead: "call-next", beside: ["call", "requeue"], next: ["呼叫下一位", "Call next"] },
    called: { lead: "start", beside: ["no-show", "recall", "call-next"],
              next: ["过号并呼叫下一位", "No-show, call next"] },
    serving: { lead: "call-next", beside: ["finish", "transfer"],
               next: ["办结并呼叫下一位", "Finish and call next"] },
  };
  const BUTTON_CLASS = { open: "ok", close: "danger" };
  const KEYS = {
    o: "open", n: "call-next", r: "recall", s: "start", f: "finish", x: "no-show",
    t: "transfer", c: "call", q: "requeue", p: "pause", u: "resume", l: "close", b: "reprint",
    NumpadAdd: "call-next", NumpadMultiply: "recall", NumpadEnter: "finish",
    NumpadSubtract: "no-show", NumpadDivide: "transfer",
  };

  let busy = false;
  let pauseReasons = null;

  // --- signing in ------------------------------------------------------------------

  async function start() {
    try {
      desk.me = await QHall.api("GET", "/api/session", undefined, { retries: 1 });
    } catch (error) {
      desk.me = null;
    }
    const saved = Number(localStorage.getItem(windowKey));
    if (desk.me && saved) {
      desk.windowNo = saved;
      enterDesk();
    } else {
      $("#sign-in").hidden = false;
    }
  }

  $("#sign-in-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    const message = $("#sign-in-message");
    try {
      desk.me = await QHall.api("POST", "/api/session", {
        login: form.elements.login.value.trim(), password: form.elements.password.value,
      }, { retries: 1 });
      desk.windowNo = Number(form.elements.window.value);
      await windowAction("open");
      localStorage.setItem(windowKey, String(desk.windowNo));
      form.elements.password.value = "";
      enterDesk();
    } catch (error) {
      sayError(message, error);
    }
  });

  $("#sign-out").addEventListener("click", async () => {
    localStorage.removeItem(windowKey);
    try { await QHall.api("DELETE", "/api/session"); } finally { location.reload(); }
  });

  document.querySelectorAll("[data-lang-choice]").forEach((b) =>
    b.addEventListener("click", () => QHall.setLanguage(b.dataset.langChoice)));

  function enterDesk() {
    $("#sign-in").hidden = true;
    $("#desk").hidden = false;
    $("#who").hidden = false;
    $("#who-name").textContent = desk.me.name + (desk.me.employee_no ? "（" + desk.me.employee_no + "）" : "");
    $("#who-window").replaceChildren(bi(desk.windowNo + "号窗口", "Window " + desk.windowNo));
    QHall.connectHall({ unit }, {
      onAlert: (alert) => say($("#desk-message"), alert.message, alert.message_en, "error"),
      onSnapshot: () => { refreshLine(); refreshWork(); },
      onEvent: (name) => {
        if (name.startsWith("ticket.") || name.startsWith("counter.") || name.startsWith("rating.")) refreshLine();
        if (/^(case|inquiry|rectification|rating)\./.test(name)) refreshWork();
      },
    });
  }

  // --- the window: keypad and keys -------------------------------------------------

  function windowAction(action, body) {
    return QHall.api("POST", base + "/counters/" + desk.windowNo + "/" + action, body);
  }

  const ASKS = {
    async transfer() {
      const serviceOptions = [{ value: "", label: "—" }, ...services.map((s) => ({ value: s, label: s }))];
      const windows = [...$("#sign-in-form").elements.window.options]
        .map((o) => Number(o.value)).filter((w) => w !== desk.windowNo);
      const values = await ask("转移：保留来访人的排队位置", "Transfer, keeping the visitor's place", [
        { name: "to_service", zh: "转往业务", en: "To service", type: "select", options: serviceOptions },
        { name: "to_window", zh: "转往窗口", en: "To window", type: "select",
          options: [{ value: "", label: "—" }, ...windows.map((w) => ({ value: String(w), label: w + "号 / No. " + w }))] },
      ]);
      if (!values) return null;
      return { to_service: values.to_service || null, to_window: values.to_window ? Number(values.to_window) : null };
    },
    async call() {
      const values = await ask("指定呼叫", "Call a number", [
        { name: "number", zh: "号码（如 A007）", en: "Number (e.g. A007)", required: true },
      ]);
      return values && { number: values.number };
    },
    async requeue() {
      const values = await ask("过号重排：按原位置回到队列", "Put a missed visitor back at their place", [
        { name: "number", zh: "号码", en: "Number", required: true },
      ]);
      return values && { number: values.number };
    },
    async pause() {
      pauseReasons = pauseReasons || await QHall.api("GET", "/api/pause-reasons");
      const values = await ask("暂停服务", "Pause the window", [
        { name: "reason", zh: "原因", en: "Reason", type: "select",
          options: pauseReasons.map((r) => ({ value: r.code, label: r.name + " / " + r.name_en })) },
      ]);
      return values && { reason: values.reason };
    },
    async close() {
      const values = await ask("确认关闭本窗口？", "Close this window?", []);
      return values && {};
    },
  };

  async function perform(action) {
    if (busy) return;  // one call at a time: a double click acts once
    busy = true;
    const message = $("#desk-message");
    try {
      const body = ASKS[action] ? await ASKS[action]() : undefined;
      if (ASKS[action] && body === null) return;
      const result = action === "requeue"
        ? await QHall.api("POST", base + "/requeue", body)
        : await windowAction(action, body);
      if (action === "call-next") sayCalled(message, result);
      else if (action === "reprint") say(message, "号票已送往本窗口打印机。", "The ticket is on its way to this window's printer.", "ok");
      else say(message, "已完成。", "Done.", "ok");
      await refreshLine();
    } catch (error) {
      sayError(message, error);
    } finally {
      busy = false;
    }
  }

  /** Say how the visitor in hand was let go (served or 过号) and who is called now. */
  function sayCalled(message, result) {
    const gone = result.let_go;
    const zh = [], en = [];
    if (gone && gone.status === "no_show") { zh.push(gone.number + " 已记为过号"); en.push(gone.number + " recorded as a no-show"); }
    if (gone && gone.status === "finished") { zh.push(gone.number + " 已办结"); en.push(gone.number + " finished"); }
    if (result.ticket) { zh.push("已呼叫 " + result.ticket.number); en.push(result.ticket.number + " called"); }
    else { zh.push("目前没有等候的来访人"); en.push("nobody is waiting"); }
    say(message, zh.join("；") + "。", en.join("; ").replace(/^./, (c) => c.toUpperCase()) + ".",
        result.ticket ? "ok" : "info");
  }

  $("#keypad").addEventListener("click", (event) => {
    const b = event.target.closest("button[data-action]");
    if (b && !b.disabled) perform(b.dataset.action);
  });

  document.addEventListener("keydown", (event) => {
    if ($("#desk").hidden || $("#ask").open || event.repeat || event.ctrlKey || event.altKey || event.metaKey) return;
    if (event.target.closest("input, textarea, select")) return;
    const action = KEYS[event.code] || KEYS[event.key.toLowerCase()];
    if (!action) return;
    const b = $('#keypad button[data-action="' + action + '"]');
    if (!b || b.disabled) return;
    event.preventDefault();
    perform(action);
  });

  // --- the window's line and figures -----------------------------------------------

  let lineTimer = null;
  let lineWaiters = [];
  /** Redraw the window from the server soon; events in a burst make one request. The
      promise settles once the redraw that covers this call is done. */
  function refreshLine() {
    clearTimeout(lineTimer);
    return new Promise((resolve) => {
      lineWaiters.push(resolve);
      lineTimer = setTimeout(async () => {
        const waiters = lineWaiters;
        lineWaiters = [];
        try {
          drawLine(await QHall.api("GET", base + "/counters/" + desk.windowNo + "/queue"));
        } catch (error) {
          sayError($("#desk-message"), error);
        } finally {
          waiters.forEach((done) => done());
        }
      }, 100);
    });
  }

  function priorityBadge(code) {
    const label = PRIORITY[code] || [code, code];
    return el("span", "priority", bi("优先 · " + label[0], "Priority · " + label[1]));
  }

  const KEYPAD_ORDER = [...document.querySelectorAll("#keypad button[data-action]")].map((b) => b.dataset.action);

  /** Put the stage's big button first and the ones beside it next (in the page's order too,
      so the Tab key follows what the eye sees), then the others that can act now, then those
      that cannot, each as the page has them. */
  function drawKeypad(stage, enable, next) {
    const keypad = $("#keypad");
    const first = [stage.lead, ...stage.beside];
    const rank = (action) => first.includes(action) ? first.indexOf(action)
      : (enable[action] ? 100 : 200) + KEYPAD_ORDER.indexOf(action);
    const buttons = [...keypad.querySelectorAll("button[data-action]")];
    const wanted = [...buttons].sort((a, b) => rank(a.dataset.action) - rank(b.dataset.action));
    if (wanted.some((b, i) => b !== buttons[i])) keypad.append(...wanted);
    for (const b of wanted) {
      const action = b.dataset.action;
      const beside = stage.beside.includes(action);
      b.disabled = !enable[action];
      b.className = [action === stage.lead ? "primary lead" : BUTTON_CLASS[action], beside ? "beside" : "",
        // "No-show, call next" gets a row of its own, apart from the buttons of the visit.
        beside && action === "call-next" ? "wide" : ""].filter(Boolean).join(" ");
    }
    keypad.querySelector('[data-action="call-next"] [data-label]').replaceChildren(bi(next[0], next[1]));
  }

  function drawLine(data) {
    const counter = data.counter;
    const stateLabel = WINDOW_STATE[counter.state] || [counter.state, counter.state];
    const state = $("#window-state");
    state.className = "window-state " + counter.state;
    state.replaceChildren(bi(stateLabel[0], stateLabel[1]));
    if (counter.state === "paused" && counter.pause_notice) {
      state.append(el("small", null, bi(counter.pause_notice, counter.pause_notice_en || "")));
    }
    const hand = data.in_hand;
    $("#hand-number").textContent = hand ? hand.number : "—";
    $("#hand-service").replaceChildren(hand ? bi(hand.service_name, hand.service_name_en) : "");
    const priority = $("#hand-priority");
    priority.hidden = !(hand && hand.priority);
    if (hand && hand.priority) {
      const label = PRIORITY[hand.priority] || [hand.priority, hand.priority];
      priority.replaceChildren(bi("优先：" + label[0] + "，请核验相关证件", "Priority: " + label[1] + ". Please check their papers."));
    }
    const status = hand && HAND_STATUS[hand.status];
    $("#hand-status").replaceChildren(status ? bi(status[0], status[1]) : bi("请呼叫下一位", "Call the next visitor"));

    const open = counter.state === "open";
    const enable = {
      open: counter.state === "closed",
      "call-next": open, call: open, requeue: counter.state !== "closed",
      recall: !!hand && hand.status === "called", start: !!hand && hand.status === "called",
      finish: !!hand, "no-show": !!hand && hand.status === "called", transfer: !!hand, reprint: !!hand,
      pause: open, resume: counter.state === "paused", close: counter.state !== "closed" && !hand,
    };
    const handStage = (hand && STAGES[hand.status]) || STAGES.idle;
    drawKeypad(counter.state === "open" ? handStage : STAGES[counter.state] || STAGES.idle, enable, handStage.next);

    $("#line-count").textContent = data.waiting_total;
    $("#line").replaceChildren(...data.waiting.map((t) => {
      const minutes = Math.floor(t.waited_s / 60);
      return el("li", t.priority ? "has-priority" : "",
        el("span", "num", t.number),
        el("span", "svc", bi(t.service_name, t.service_name_en)),
        t.priority ? priorityBadge(t.priority) : null,
        t.transferred_here ? el("span", "transferred", bi("转来", "Transferred")) : null,
        el("span", "waited", bi("已等 " + minutes + " 分", minutes + " min")));
    }));
    if (!data.waiting.length) $("#line").append(el("li", "empty", bi("暂无等候", "Nobody waiting")));

    const f = data.figures;
    $("#fig-served").textContent = f.served;
    $("#fig-average").replaceChildren(duration(f.average_service_s));
    $("#fig-ratings").textContent = f.ratings.count + (f.ratings.average ? "（均 " + f.ratings.average + "）" : "");
    $("#fig-satisfied").textContent = f.ratings.satisfied_rate === null ? "—" : Math.round(f.ratings.satisfied_rate * 100) + "%";
  }

  start();
})();
