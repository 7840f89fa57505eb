/* The self-service kiosk: choose a service (or the priority path first), read its guide,
   take a ticket, see it with its QR code and learn whether it printed.

   - A ticket is taken with QHall.api and one Idempotency-Key per guide visit, so a
     retried or repeated touch can never issue two tickets.
   - Printing is asked of the server after the ticket exists; the kiosk follows the
     print job for a few seconds and tells the visitor plainly if it did not print.
   - After KIOSK_IDLE_S without a touch the kiosk starts over in Chinese, normal mode.
   - With an ID card reader (kiosk/id_card_bridge.py), a card placed on it goes with the next
     ticket: the page shows the masked name and age, never the number, and forgets the card
     after that ticket or CARD_IDLE_MS without a touch. */
(function () {
  "use strict";

  const root = document.getElementById("kiosk");
  // A registered kiosk is given its device token once, in its address (?device=…); it
  // keeps it and takes it out of the address, where a visitor could read it.
  const deviceKey = "qhall-device:" + root.dataset.unit;
  const params = new URLSearchParams(location.search);
  if (params.has("device")) {
    localStorage.setItem(deviceKey, params.get("device"));
    params.delete("device");
    history.replaceState(null, "", location.pathname + (params.toString() ? "?" + params : ""));
  }
  const device = localStorage.getItem(deviceKey);

  const cfg = {
    unit: root.dataset.unit,
    kiosk: root.dataset.kiosk,
    printer: root.dataset.printer,
    servicesUrl: root.dataset.servicesUrl,
    ticketsUrl: root.dataset.ticketsUrl,
    bookingCheckInUrl: root.dataset.bookingCheckInUrl,
    idleS: Number(root.dataset.idleS) || 30,
    ticketS: Number(root.dataset.ticketS) || 20,
    unprintedS: Number(root.dataset.unprintedS) || 60,
    bridge: root.dataset.idCardBridge,
    elderlyAge: Number(root.dataset.elderlyAge) || 60,
  };
  const CARD_IDLE_MS = 60000;  // a card left unused this long is forgotten
  const BRIDGE_RETRY_MS = 5000;
  const PAGE_SIZE = { normal: 6, elderly: 4 };
  const PRINT_WAIT_MS = 10000;  // how long the visitor is told "printing…" at most
  const PRINT_POLL_MS = 500;
  const BAD_PRINTER = ["offline", "paper_out"];

  const state = {
    screen: "home",
    services: [],
    page: 0,
    priority: null,     // {code, zh, en}
    service: null,      // the service whose guide is open
    key: null,          // the Idempotency-Key of this guide visit's ticket
    ticket: null,
    print: "none",
    printerStatus: "unknown",
    card: null,         // the ID card read: its fields, for the next ticket only
  };
  const $ = (id) => document.getElementById(id);

  // --- screens -------------------------------------------------------------------------

  function show(screen) {
    state.screen = screen;
    for (const section of root.querySelectorAll("[data-screen]")) {
      section.hidden = section.dataset.screen !== screen;
    }
    resetIdle();
  }

  function startOver() {
    state.priority = null;
    state.service = null;
    state.key = null;
    state.ticket = null;
    state.page = 0;
    setElderly(false);
    QHall.setLanguage("zh");
    renderPriority();
    renderServices();
    show("home");
  }

  // --- idle: back to the start for the next visitor ----------------------------------------

  let idleTimer = null;
  function idleSeconds() {
    if (state.screen === "taking") return null;  // the answer is on its way
    if (state.screen === "ticket") return state.print === "printed" ? cfg.ticketS : cfg.unprintedS;
    return cfg.idleS;
  }
  function resetIdle() {
    clearTimeout(idleTimer);
    keepCardAWhile();
    const seconds = idleSeconds();
    const fresh = state.screen === "home" && !state.priority && !isElderly() &&
      document.documentElement.dataset.lang === "zh" && state.page === 0;
    if (seconds !== null && !fresh) idleTimer = setTimeout(startOver, seconds * 1000);
  }

  // --- the home screen: services -----------------------------------------------------------

  function pageSize() { return isElderly() ? PAGE_SIZE.elderly : PAGE_SIZE.normal; }

  function renderServices() {
    const box = $("services");
    const pages = Math.max(1, Math.ceil(state.services.length / pageSize()));
    state.page = Math.min(state.page, pages - 1);
    const shown = state.services.slice(state.page * pageSize(), (state.page + 1) * pageSize());
    box.replaceChildren(...shown.map(serviceButton));
    $("pager").hidden = pages < 2;
    $("page-number").textContent = (state.page + 1) + " / " + pages;
    root.querySelector('[data-action="page-prev"]').disabled = state.page === 0;
    root.querySelector('[data-action="page-next"]').disabled = state.page >= pages - 1;
  }

  function serviceButton(service) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "k-service" + (service.open ? "" : " closed");
    button.dataset.action = "service";
    button.dataset.service = service.code;
    const name = document.createElement("span");
    name.className = "k-service-name";
    const letter = document.createElement("span");
    letter.className = "k-letter";
    letter.textContent = service.code;
    name.append(letter, QHall.bi(service.name, service.name_en));
    button.append(name, waitLine(service));
    return button;
  }

  function waitLine(service) {
    const line = document.createElement("span");
    line.className = "k-service-wait";
    if (!service.open) {
      line.append(QHall.bi("暂停取号 · 办理时间 " + hoursText(service.hours),
                           "Closed now · Hours " + hoursText(service.hours)));
      return line;
    }
    const wait = QHall.formatWait(service.estimate, service.estimated_wait_s);
    line.dataset.estimate = wait.none ? "no_window" : "ok";
    line.append(QHall.bi("等候 " + service.waiting + " 人 · " + (wait.none ? "" : "预计") + wait.zh,
                         service.waiting + " waiting · " + wait.en));
    return line;
  }

  function hoursText(hours) { return (hours || "").split(",").join("、"); }

  function weekdaysText(days) {
    if (days === "1234567") return { zh: "每天", en: "Every day" };
    if (days === "12345") return { zh: "周一至周五", en: "Monday to Friday" };
    const zh = "一二三四五六日", en = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    const list = (days || "").split("").map(Number).filter((d) => d >= 1 && d <= 7);
    return { zh: list.map((d) => "周" + zh[d - 1]).join("、"), en: list.map((d) => en[d - 1]).join(", ") };
  }

  function timeLimitText(days) {
    if (!days) return { zh: "即来即办，当场办结", en: "Done on the spot" };
    return { zh: "承诺 " + days + " 个工作日内办结", en: "Completed within " + days + " working days" };
  }

  // --- the live hall: waits and the printer's status ----------------------------------------

  let refreshTimer = null;
  function refreshServicesSoon() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(async () => {
      try {
        state.services = await QHall.api("GET", cfg.servicesUrl);
        renderServices();
      } catch (error) { /* the next event or the hall's backstop snapshot will do */ }
    }, 800);
  }

  function notePrinters(printers) {
    const mine = (printers || []).find((p) => p.name === cfg.printer);
    if (mine) state.printerStatus = mine.status;
    $("printer-notice").hidden = !cfg.printer || !BAD_PRINTER.includes(state.printerStatus);
  }

  QHall.connectHall({ unit: cfg.unit }, {
    onSnapshot(snapshot) {
      state.services = snapshot.services || [];
      renderServices();
      notePrinters(snapshot.printers);
    },
    onEvent(name, payload) {
      if (name === "printer.status_changed") notePrinters([payload.printer]);
      else if (name.startsWith("ticket.") || name.startsWith("counter.")) refreshServicesSoon();
    },
  });

  // --- priority ------------------------------------------------------------------------

  function renderPriority() {
    const chosen = state.priority;
    $("priority-banner").hidden = !chosen;
    $("priority-path").hidden = !!chosen;
    if (chosen) {
      $("priority-chosen").replaceChildren(QHall.bi("优先通道：" + chosen.zh + "，请选择业务",
                                                    "Priority: " + chosen.en + " — please choose a service"));
    }
  }

  // --- the guide (一次性告知) ----------------------------------------------------------------

  function paragraphs(text, splitter) {
    return (text || "").split(/\n+/).flatMap((part) => part.split(splitter)).map((s) => s.trim()).filter(Boolean);
  }

  function openGuide(code) {
    const service = state.services.find((s) => s.code === code);
    if (!service) return;
    state.service = service;
    state.key = QHall.uuid();  // one ticket for this visit to the guide, however often touched
    $("guide-title").replaceChildren(QHall.bi(service.code + "  " + service.name, service.code + "  " + service.name_en));
    const text = document.createElement("div");
    text.className = "bi";
    const zh = document.createElement("div");
    zh.className = "zh"; zh.lang = "zh-CN";
    zh.append(...paragraphs(service.guide, /(?<=。)/).map(para));
    const en = document.createElement("div");
    en.className = "en"; en.lang = "en";
    en.append(...paragraphs(service.guide_en, /(?<=\.)\s+/).map(para));
    text.append(zh, en);
    $("guide-text").replaceChildren(text);
    QNotice.load(cfg.unit, service.code, $("guide-text"));  // the structured 一次性告知, if written
    const limit = timeLimitText(service.time_limit_days);
    $("guide-limit").replaceChildren(QHall.bi(limit.zh, limit.en));
    const days = weekdaysText(service.weekdays);
    $("guide-hours").replaceChildren(QHall.bi(days.zh + " " + hoursText(service.hours), days.en + " " + hoursText(service.hours)));
    $("guide-wait").replaceChildren(waitLine(service));
    $("take-ticket").hidden = !service.open;
    const banner = $("guide-priority");
    banner.hidden = !state.priority;
    if (state.priority) banner.replaceChildren(QHall.bi("优先通道：" + state.priority.zh, "Priority: " + state.priority.en));
    show("guide");
  }

  function para(text) {
    const p = document.createElement("p");
    p.textContent = text;
    return p;
  }

  // --- taking the ticket ---------------------------------------------------------------

  async function take() {
    if (!state.service || !state.key) return;
    $("taking-retry").hidden = true;
    show("taking");
    let ticket;
    try {
      ticket = await QHall.api("POST", cfg.ticketsUrl, {
        service: state.service.code,
        priority: state.priority ? state.priority.code : null,
        id_number: state.card ? state.card.id_number : undefined,
      }, { key: state.key, retries: 4, onRetry() { $("taking-retry").hidden = false; },
           headers: device ? { "X-Device-Token": device } : {} });
    } catch (error) {
      // Answered (a refusal): the card has done its part. Unreachable: kept for the retry.
      if (error instanceof QHall.ApiError && error.status < 500) setCard(null);
      showError(error);
      return;
    }
    setCard(null);
    state.key = null;
    showTicket(ticket);
    printTicket(ticket);
  }

  // A card placed on the reader checks in the holder's booking of today, if they booked
  // with that ID number: the appointment ticket is shown and printed at once. With no
  // booking (404) the card simply waits for the visitor's own choice of service.
  async function checkInBookingByCard(card) {
    let answer;
    try {
      answer = await QHall.api("POST", cfg.bookingCheckInUrl, { id_number: card.id_number },
        { key: QHall.uuid(), retries: 2, headers: device ? { "X-Device-Token": device } : {} });
    } catch (error) {
      if (error instanceof QHall.ApiError && error.status === 404) return;
      setCard(null);
      showError(error);
      return;
    }
    if (state.card !== card) return;  // another card, or the visitor moved on meanwhile
    setCard(null);
    showTicket(answer.ticket);
    const note = answer.already
      ? { zh: "您的预约已签到，请留意叫号。", en: "Your booking is already checked in. Please listen for your number." }
      : answer.note || { zh: "预约签到成功，请留意叫号。", en: "Your booking is checked in. Please listen for your number." };
    $("ticket-note").replaceChildren(QHall.bi(note.zh, note.en));
    $("ticket-note").hidden = false;
    if (!answer.already) printTicket(answer.ticket);
    else setPrint("none");
  }

  function showError(error) {
    const unreachable = !(error instanceof QHall.ApiError) || error.status >= 500;
    const title = unreachable
      ? QHall.bi("抱歉，暂时无法连接服务器，请稍后再试。", "Sorry, the server cannot be reached right now. Please try again.")
      : QHall.bi(error.zh, error.en);
    $("error-title").replaceChildren(title);
    $("error-retry").hidden = !unreachable;  // the same key: a retry can never issue twice
    show("error");
  }

  function showTicket(ticket) {
    state.ticket = ticket;
    $("ticket-note").hidden = true;
    $("ticket-number").textContent = ticket.number;
    $("ticket-service").replaceChildren(QHall.bi(ticket.service_name, ticket.service_name_en));
    const priority = ticket.priority && root.querySelector('[data-priority="' + ticket.priority + '"]');
    $("ticket-priority").hidden = !priority;
    if (priority) {
      $("ticket-priority").replaceChildren(QHall.bi("优先：" + priority.dataset.labelZh, "Priority: " + priority.dataset.labelEn));
    }
    $("ticket-ahead").textContent = ticket.ahead;
    const wait = QHall.formatWait(ticket.estimate, ticket.estimated_wait_s);
    $("ticket-wait").replaceChildren(QHall.bi(wait.zh, wait.en));
    $("ticket-qr").src = "/t/" + encodeURIComponent(ticket.token) + "/qr.svg";
    state.priority = null;
    renderPriority();
    setPrint(cfg.printer ? "printing" : "none");
    show("ticket");
    // For what else the ticket screen offers (kiosk-text-me.js).
    document.dispatchEvent(new CustomEvent("kiosk:ticket", { detail: { token: ticket.token } }));
  }

  function setPrint(printState) {
    state.print = printState;
    $("print-state").dataset.state = printState;
    if (state.screen === "ticket") resetIdle();
  }

  async function printTicket(ticket) {
    if (!cfg.printer) return;
    const token = ticket.token;
    const stillShown = () => state.ticket && state.ticket.token === token;
    try {
      // Only the kiosk that issued the ticket prints it, and reads its print job.
      const asKiosk = device ? { "X-Device-Token": device } : {};
      const answer = await QHall.api("POST", "/api/tickets/" + encodeURIComponent(token) + "/print",
                                     { kiosk: cfg.kiosk }, { retries: 3, headers: asKiosk });
      const deadline = Date.now() + PRINT_WAIT_MS;
      let job = answer.job;
      while (stillShown() && job.status === "pending" && job.attempts === 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, PRINT_POLL_MS));
        job = await QHall.api("GET", "/api/print-jobs/" + job.id, undefined, { headers: asKiosk });
      }
      if (stillShown()) setPrint(job.status === "printed" ? "printed" : "failed");
    } catch (error) {
      if (stillShown()) setPrint("failed");
    }
  }

  // --- the ID card reader ------------------------------------------------------------------

  let cardTimer = null;
  let readerState = "connecting";  // the bridge's: connecting, ready or offline

  function setCard(card) {
    state.card = card;
    keepCardAWhile();
    if (card) {
      const age = ageToday(card.birth_date);
      const elderly = age !== null && age >= cfg.elderlyAge;
      $("id-card-read").replaceChildren(QHall.bi(
        "已读取身份证：" + maskedName(card.name) + (age === null ? "" : "（" + age + " 岁）") + (elderly ? "，老年人优先" : ""),
        "ID card read: " + maskedName(card.name) + (age === null ? "" : " (aged " + age + ")") + (elderly ? ", elderly priority" : "")));
    }
    renderReader();
  }

  function keepCardAWhile() {  // from the last touch
    clearTimeout(cardTimer);
    if (state.card) cardTimer = setTimeout(() => setCard(null), CARD_IDLE_MS);
  }

  function setReader(bridgeState) {
    readerState = bridgeState;
    renderReader();
  }

  function renderReader() {
    $("id-card").hidden = false;
    $("id-card").dataset.state = state.card ? "read" : readerState;
  }

  function maskedName(name) {
    const chars = Array.from(name || "");
    return chars.length ? chars[0] + "*".repeat(Math.max(1, chars.length - 1)) : "";
  }

  function ageToday(birthDate) {
    const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(birthDate || "");
    if (!match) return null;
    const today = new Date();
    const [year, month, day] = match.slice(1).map(Number);
    const before = today.getMonth() + 1 < month || (today.getMonth() + 1 === month && today.getDate() < day);
    return today.getFullYear() - year - (before ? 1 : 0);
  }

  // The bridge answers a long poll when a card is placed after the last one seen (seq).
  async function listenToReader() {
    let seq = null;
    setReader("connecting");
    for (;;) {
      try {
        const url = cfg.bridge + "/card" + (seq === null ? "" : "?after=" + seq);
        const response = await fetch(url, { cache: "no-store" });
        if (!response.ok) throw new Error("bridge " + response.status);
        const answer = await response.json();
        if (seq !== null && answer.card) {
          setCard(answer.card);
          checkInBookingByCard(answer.card);
        }
        seq = answer.seq;  // also after the bridge restarted and counts from 0 again
        setReader("ready");
      } catch (error) {
        seq = null;
        setReader("offline");
        await new Promise((resolve) => setTimeout(resolve, BRIDGE_RETRY_MS));
      }
    }
  }

  // --- modes -----------------------------------------------------------------------------

  function isElderly() { return document.body.classList.contains("elderly"); }
  function setElderly(on) {
    document.body.classList.toggle("elderly", on);
    $("elderly-switch").setAttribute("aria-pressed", on ? "true" : "false");
  }

  // --- touches -----------------------------------------------------------------------------

  const actions = {
    service(el) { openGuide(el.dataset.service); },
    take() { take(); },
    home() {
      state.service = null;
      state.ticket = null;
      show("home");
    },
    priority() { show("priority"); },
    "priority-choose"(el) {
      state.priority = { code: el.dataset.priority, zh: el.dataset.labelZh, en: el.dataset.labelEn };
      renderPriority();
      show("home");
    },
    "card-forget"() { setCard(null); },
    "priority-clear"() { state.priority = null; renderPriority(); resetIdle(); },
    "page-prev"() { state.page = Math.max(0, state.page - 1); renderServices(); resetIdle(); },
    "page-next"() { state.page += 1; renderServices(); resetIdle(); },
    language() {
      QHall.setLanguage(document.documentElement.dataset.lang === "en" ? "zh" : "en");
      resetIdle();
    },
    elderly() { setElderly(!isElderly()); state.page = 0; renderServices(); resetIdle(); },
  };

  root.addEventListener("click", (event) => {
    const target = event.target.closest("[data-action]");
    if (target && actions[target.dataset.action]) actions[target.dataset.action](target);
  });
  document.addEventListener("pointerdown", resetIdle, { passive: true });

  // A kiosk is not a browser: no context menu, no selecting, no zooming.
  for (const name of ["contextmenu", "selectstart", "gesturestart", "dragstart"]) {
    document.addEventListener(name, (event) => event.preventDefault());
  }
  document.addEventListener("wheel", (event) => { if (event.ctrlKey) event.preventDefault(); }, { passive: false });
  document.addEventListener("touchmove", (event) => { if (event.touches.length > 1) event.preventDefault(); }, { passive: false });
  document.addEventListener("keydown", (event) => {
    if ((event.ctrlKey || event.metaKey) && ["+", "-", "=", "0"].includes(event.key)) event.preventDefault();
  });

  renderPriority();
  show("home");
  if (cfg.bridge) listenToReader();
  refreshServicesSoon();  // do not wait for the live connection to show the services
})();
