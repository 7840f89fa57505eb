/* The window client: sign in, open the window, call and serve with buttons or keys (like a
   caller keypad), watch the window's line. Registering first inquiries, accepting promised
   cases, following deadlines and rectification are in casework.js; what both use is in
   counter-base.js. Every action is one API call through QHall.api with an Idempotency-Key,
   and a button does nothing while its call is in flight, so a double click or a retry
   after a network drop never acts twice; a key pressed meanwhile waits its turn (a few at
   most) and is let go, with a word, if what it meant no longer holds. Each action says
   what happened, from the server's answer. The rules live on the server. */
(function () {
  "use strict";

  const { $, bi, desk, el, say, sayError, ask, duration, refreshWork, targets, windowLabel, serviceLabel } = QCounter;
  const { unit, base } = desk;
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
  // Keys pressed while an action is in flight, run in turn after it: [{action, stage}].
  const waitingKeys = [];
  const MAX_WAITING_KEYS = 3;
  let stageNow = "closed";  // the keypad's stage as last drawn (a key of STAGES)
  let printers = {};  // this hall's printers by name: their last known status

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
    b.addEventListener("click", () => {
      QHall.setLanguage(b.dataset.langChoice);
      // A choice in a list cannot hold both languages as the page does: it is relabelled.
      const lang = b.dataset.langChoice === "en" ? "en" : "zh";
      document.querySelectorAll("option[data-en]").forEach((o) => { o.textContent = o.dataset[lang]; });
    }));

  function enterDesk() {
    $("#sign-in").hidden = true;
    $("#desk").hidden = false;
    $("#who").hidden = false;
    $("#who-name").textContent = desk.me.name + (desk.me.employee_no ? "（" + desk.me.employee_no + "）" : "");
    $("#who-window").replaceChildren(bi(desk.windowNo + "号窗口", "Window " + desk.windowNo));
    QHall.connectHall({ unit }, {
      onAlert: (alert) => say($("#desk-message"), alert.message, alert.message_en, "error"),
      onSnapshot: (snapshot) => { notePrinters(snapshot.printers || [], true); refreshLine(); refreshWork(); },
      onEvent: (name, payload) => {
        if (name === "printer.status_changed" && payload && payload.printer) notePrinters([payload.printer]);
        if (name.startsWith("ticket.") || name.startsWith("counter.") || name.startsWith("rating.")) refreshLine();
        if (/^(case|inquiry|rectification|rating)\./.test(name)) refreshWork();
      },
    });
  }

  // --- this hall's printers --------------------------------------------------------

  // The states in which a printer gives no paper: visitors at the kiosk get no ticket, a
  // receipt asked for here waits. The admin page has the same rule (qhall/dashboard.py).
  const PRINTER_STOPPED = { offline: ["离线", "offline"], paper_out: ["缺纸", "out of paper"] };

  /** Keep the printers' states (all of them from a snapshot, else the ones that changed)
      and show a banner while one of this hall's printers gives no paper. */
  function notePrinters(list, whole) {
    if (whole) printers = {};
    for (const p of list) printers[p.name] = p.status;
    const stopped = Object.keys(printers).filter((name) => PRINTER_STOPPED[printers[name]]).sort();
    const banner = $("#printer-alert");
    banner.hidden = !stopped.length;
    banner.replaceChildren(bi(
      "打印机故障：" + stopped.map((n) => n + "（" + PRINTER_STOPPED[printers[n]][0] + "）").join("、") +
        "。取号来访人可能拿不到号票，请协助或通知管理员。",
      "Printer trouble: " + stopped.map((n) => n + " (" + PRINTER_STOPPED[printers[n]][1] + ")").join(", ") +
        ". Visitors may get no paper ticket: please help them or tell the manager."));
  }

  // --- the window: keypad and keys -------------------------------------------------

  function windowAction(action, body) {
    return QHall.api("POST", base + "/counters/" + desk.windowNo + "/" + action, body);
  }

  const ASKS = {
    async transfer() {
      // Only where an open window will call them (qhall/transfers.py): open windows by name,
      // and services greyed when no open window serves them, unless a manager may override.
      const where = await targets();
      const services = where.services.map((s) => ({ value: s.code, label: serviceLabel(s),
        disabled: !s.open_windows && !where.may_override }));
      const windows = where.windows.filter((w) => w.window !== desk.windowNo)
        .map((w) => ({ value: String(w.window), label: windowLabel(w) }));
      const fields = [
        { name: "to_service", zh: "转往业务", en: "To service", type: "select", options: [{ value: "", label: "—" }, ...services] },
        { name: "to_window", zh: "转往窗口（开放中）", en: "To window (open)", type: "select", options: [{ value: "", label: "—" }, ...windows] },
      ];
      if (where.may_override) {
        fields.push({ name: "override", zh: "无人办理时仍转移（负责人确认）", en: "Send even where nobody serves (manager)", type: "select",
          options: [{ value: "", label: "否 / No" }, { value: "yes", label: "是 / Yes" }] });
      }
      const values = await ask("转移：保留来访人的排队位置", "Transfer, keeping the visitor's place", fields);
      if (!values) return null;
      return { to_service: values.to_service || null, to_window: values.to_window ? Number(values.to_window) : null,
        override: values.override === "yes" };
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
    showWaitingKeys();  // a key let go earlier is old news once the next action starts
    const message = $("#desk-message");
    try {
      const body = ASKS[action] ? await ASKS[action]() : undefined;
      if (ASKS[action] && body === null) return;
      const result = action === "requeue"
        ? await QHall.api("POST", base + "/requeue", body)
        : await windowAction(action, body);
      sayDone(message, action, result, body);
      await refreshLine();
    } catch (error) {
      sayError(message, error);
    } finally {
      busy = false;
      runWaitingKey();
    }
  }

  // --- keys pressed while an action is in flight -----------------------------------

  const ACTION_NAMES = {
    open: ["开启窗口", "Open window"], "call-next": ["呼叫下一位", "Call next"], recall: ["重呼", "Recall"],
    start: ["开始办理", "Start"], finish: ["办结", "Finish"], "no-show": ["过号", "No-show"],
    transfer: ["转移", "Transfer"], call: ["指定呼叫", "Call a number"], requeue: ["过号重排", "Put back in line"],
    reprint: ["补打号票", "Reprint ticket"], pause: ["暂停", "Pause"], resume: ["恢复", "Resume"],
    close: ["关闭窗口", "Close window"],
  };

  /** Keep a key pressed during an action for after it, with the stage it was pressed in. */
  function keepKey(action) {
    if (waitingKeys.length >= MAX_WAITING_KEYS) {
      sayQueued("按键过多，「" + ACTION_NAMES[action][0] + "」未执行", "Too many keys: " + ACTION_NAMES[action][1] + " not done");
      return;
    }
    waitingKeys.push({ action, stage: stageNow });
    showWaitingKeys();
  }

  /** Run the next waiting key if it still means what it meant when pressed: its button is
      enabled now, and a "call next" pressed before a visitor was called does not let that
      visitor go as a no-show a moment after calling them. */
  function runWaitingKey() {
    const next = waitingKeys.shift();
    showWaitingKeys();
    if (!next) return;
    const b = $('#keypad button[data-action="' + next.action + '"]');
    const changed = next.action === "call-next" && stageNow === "called" && next.stage !== "called";
    if (!b || b.disabled || changed || $("#desk").hidden) {
      waitingKeys.length = 0;  // what came after it was meant to follow it
      const name = ACTION_NAMES[next.action];
      sayQueued("「" + name[0] + "」未执行：窗口状态已变化，请确认后再按", name[1] + " not done: the window changed. Check, then press again");
      return;
    }
    perform(next.action);
  }

  function showWaitingKeys() {
    const box = $("#desk-queued");
    box.hidden = !waitingKeys.length;
    box.className = "queued";
    box.replaceChildren(bi("稍候执行：" + waitingKeys.map((k) => ACTION_NAMES[k.action][0]).join("、"),
      "Next: " + waitingKeys.map((k) => ACTION_NAMES[k.action][1]).join(", ")));
  }

  /** Say that a waiting key was let go, beside the action's own message. */
  function sayQueued(zh, en) {
    const box = $("#desk-queued");
    box.hidden = false;
    box.className = "queued refused";
    box.replaceChildren(bi(zh, en));
  }

  // --- what each action did, in words ----------------------------------------------

  const cap = (text) => text.replace(/^./, (c) => c.toUpperCase());

  /** Say what an action did, from the server's answer (and the body it was sent). */
  function sayDone(message, action, result, body) {
    const t = result.ticket, c = result.counter, w = desk.windowNo;
    const said = {
      open: () => [w + " 号窗口已开启", "Window " + w + " is open"],
      recall: () => ["已重呼 " + t.number + "（第 " + t.recalls + " 次）", "Called " + t.number + " again"],
      start: () => ["开始办理 " + t.number, "Serving " + t.number],
      finish: () => [t.number + " 已办结", t.number + " finished"],
      "no-show": () => missed(t.number),
      transfer: () => transferred(t, body || {}),
      requeue: () => [t.number + " 已按原位置回到队列", t.number + " is back in line at their place"],
      pause: () => paused(c),
      resume: () => [w + " 号窗口已恢复服务", "Window " + w + " is serving again"],
      close: () => [w + " 号窗口已关闭", "Window " + w + " is closed"],
      reprint: () => reprinted(result.job && result.job.ref.split("/").pop()),
    }[action];
    if (action === "call-next" || action === "call") return sayCalled(message, result);
    const words = said ? said() : ["已完成", "Done"];
    say(message, words[0] + "。", cap(words[1]) + ".", "ok");
  }

  function transferred(t, body) {
    const zh = [], en = [];
    if (body.to_window) { zh.push(body.to_window + " 号窗口"); en.push("window " + body.to_window); }
    if (body.to_service || !body.to_window) {
      zh.push(t.service + " 业务（" + t.service_name + "）");
      en.push(t.service + " (" + (t.service_name_en || t.service_name) + ")");
    }
    return [t.number + " 已转至 " + zh.join("，"), t.number + " transferred to " + en.join(", ")];
  }

  function paused(c) {
    const reason = (pauseReasons || []).find((r) => r.code === c.pause_reason);
    return reason ? ["暂停服务：" + reason.name, "Paused: " + reason.name_en] : ["暂停服务", "Paused"];
  }

  const missed = (number) => [number + " 已记为过号", number + " marked as missed"];

  function reprinted(number) {
    return number ? [number + " 的号票已送往本窗口打印机", number + "'s ticket is on its way to this window's printer"]
      : ["号票已送往本窗口打印机", "The ticket is on its way to this window's printer"];
  }

  /** Say how the visitor in hand was let go (served or 过号) and who is called now. */
  function sayCalled(message, result) {
    const gone = result.let_go;
    const zh = [], en = [];
    if (gone && gone.status === "no_show") { const m = missed(gone.number); zh.push(m[0]); en.push(m[1]); }
    if (gone && gone.status === "finished") { zh.push(gone.number + " 已办结"); en.push(gone.number + " finished"); }
    if (result.ticket) {
      zh.push("已呼叫 " + result.ticket.number + "，请到 " + desk.windowNo + " 号窗口");
      en.push("called " + result.ticket.number + " to window " + desk.windowNo);
    } else { zh.push("目前没有等候的来访人"); en.push("nobody is waiting"); }
    say(message, zh.join("；") + "。", cap(en.join("; ")) + ".", result.ticket ? "ok" : "info");
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
    event.preventDefault();
    if (busy) { keepKey(action); return; }  // its turn comes after the action in flight
    const b = $('#keypad button[data-action="' + action + '"]');
    if (b && !b.disabled) perform(action);
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
    QCounter.showMatter(hand);  // matter.js: the 办件编号 field beside the ticket in hand
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
    stageNow = counter.state !== "open" ? counter.state : hand && STAGES[hand.status] ? hand.status : "idle";
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
    $("#fig-ratings").replaceChildren(f.ratings.average
      ? bi(f.ratings.count + "（均 " + f.ratings.average + "）", f.ratings.count + " (average " + f.ratings.average + ")")
      : String(f.ratings.count));
    $("#fig-satisfied").textContent = f.ratings.satisfied_rate === null ? "—" : Math.round(f.ratings.satisfied_rate * 100) + "%";
  }

  start();
})();
