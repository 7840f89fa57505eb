/* The hall screen: the call now (flashing, spoken), recent calls, each window, the waits
   per service, the clock, and the campaign content in rotation. Live through
   QHall.connectHall, which redraws from a snapshot after every reconnect or missed event,
   so what shows is always the hall's true state. */
(function () {
  "use strict";

  const root = document.getElementById("hall");
  const unit = root.dataset.unit;
  const $ = (id) => document.getElementById(id);
  const IN_HAND = ["called", "serving"];
  // A visitor who missed the voice finds their number here: at least six, more if they fit.
  const RECENT_SHOWN = 8;
  // No text below 18 px on a 1920×1080 screen: a share of the screen's shorter side.
  const LEAST_TEXT = 18 / 1080;
  // Events after which the waiting counts and estimates may have changed.
  const CHANGES_WAITING = /^(ticket\.(issued|called|cancelled|transferred|requeued|finished|no_show|checked_in)|counter\.)/;

  let calls = [];      // newest first: {number, service, window, status, called_at}
  let counters = [];
  let services = [];

  // --- voice --------------------------------------------------------------------------
  // What was said and what was not, for a look in devtools and for the tests.
  let heard = 0;
  let spoken = 0;
  let dropped = 0;
  const soundOff = $("sound-off");
  const voice = QHallVoice.createVoice({
    clipUrl: root.dataset.voiceUrl,
    onState(state) { root.dataset.voice = state; soundOff.hidden = state !== "off"; },
  });
  soundOff.addEventListener("click", () => voice.enable());
  voice.preload(["chime", "pause", "qing", "hao", "dao", "hao_chuangkou", "banli", "yao"]);
  const announcer = QHallAnnouncer.createAnnouncer({
    maxDelayMs: Number(root.dataset.voiceMaxDelayS || 20) * 1000,
    // Said only while the visitor is still called to that window.
    wanted: (e) => calls.some((c) => c.number === e.number && c.window === e.window && c.status === "called"),
    async say(e) {
      const clips = (await e.said).clips;
      const played = await voice.play(clips);
      spoken += 1;
      root.dataset.spoken = String(spoken);
      root.dataset.played = played + "/" + clips.length;  // clips heard of those asked for
    },
    onStart(e) { root.dataset.saying = e.number + ">" + e.window; },
    onDone() { root.dataset.saying = ""; },
    onDrop(e, why) {
      root.dataset.lastDropped = e.number + ">" + e.window + " " + why;
      if (why === "replaced") return;                    // its recall is said instead
      dropped += 1;
      root.dataset.dropped = String(dropped);
    },
  });

  function speak(number, window) {
    if (voice.state() === "off") return;                 // not kept for later: see voice.js
    const url = root.dataset.announceUrl + "?number=" + encodeURIComponent(number) + "&window=" + window;
    // Fetched now, so that it is ready when its turn comes; a failure shows then.
    const said = QHall.api("GET", url, undefined, { retries: 1 });
    said.catch(() => {});
    announcer.add({ number, window, said });
    heard += 1;
    root.dataset.heard = String(heard);
  }

  // --- the model ----------------------------------------------------------------------
  function onSnapshot(snapshot) {
    calls = snapshot.calls.map((c) => Object.assign({}, c));
    counters = snapshot.counters;
    services = snapshot.services || services;
    render();
  }

  function onEvent(name, event) {
    if (event.counter_view) {
      counters = counters.filter((c) => c.window !== event.counter_view.window).concat([event.counter_view]);
    }
    const ticket = event.ticket_view;
    if (ticket) {
      const known = calls.find((c) => c.number === ticket.number);
      const call = {
        number: ticket.number,
        service: ticket.service,
        window: ticket.window !== null ? ticket.window : (known ? known.window : null),
        status: ticket.status,
        called_at: ticket.called_at,
      };
      if (name === "ticket.called" || name === "ticket.recalled") {
        calls = [call].concat(calls.filter((c) => c.number !== ticket.number));
      } else if (known) {
        Object.assign(known, call);
      }
    }
    render();
    if ((name === "ticket.called" || name === "ticket.recalled") && ticket) {
      flash();
      speak(ticket.number, ticket.window);
    }
    if (CHANGES_WAITING.test(name)) refreshServices();
  }

  let servicesTimer = null;
  function refreshServices() {
    clearTimeout(servicesTimer);
    servicesTimer = setTimeout(async () => {
      try {
        services = await QHall.api("GET", root.dataset.servicesUrl, undefined, { retries: 1 });
        renderWaiting();
      } catch (error) { console.error("services", error); }
    }, 300);
  }

  // --- drawing ------------------------------------------------------------------------
  function render() {
    renderCurrent();
    renderRecent();
    renderWindows();
    renderWaiting();
  }

  /** Shrink a panel's text until it fits its box: a hall may have many services or
      windows, and a manager may write long content. Never below the least size read from
      10 m away. */
  function fit(box) {
    box.style.fontSize = "";
    let size = parseFloat(getComputedStyle(box).fontSize);
    // The 18 px floor is the big lying hall screen's (1080 lines and more); a standing or
    // smaller one (a 1280×800 panel) shrinks further rather than cut a word off.
    const big = innerWidth > innerHeight && innerHeight >= 1000;
    const least = (big ? LEAST_TEXT : LEAST_TEXT * 0.6) * Math.min(innerWidth, innerHeight);
    for (let i = 0; i < 20 && box.scrollHeight > box.clientHeight + 1 && smallestText(box) * 0.92 >= least; i++) {
      size *= 0.92;
      box.style.fontSize = size + "px";
    }
  }

  function smallestText(box) {
    let least = Infinity;
    for (const el of box.querySelectorAll("*")) {
      if (!el.childElementCount && el.textContent.trim() && el.offsetParent) {
        least = Math.min(least, parseFloat(getComputedStyle(el).fontSize));
      }
    }
    return least;
  }

  /** Show only the recent calls that fit whole; the oldest drop off the end. */
  function fitList(list) {
    const items = Array.from(list.children);
    items.forEach((li) => { li.hidden = false; });
    const box = list.parentElement;
    const bottom = box.getBoundingClientRect().bottom - parseFloat(getComputedStyle(box).paddingBottom);
    items.forEach((li) => { li.hidden = li.getBoundingClientRect().bottom > bottom; });
  }

  function current() {
    return calls.find((c) => IN_HAND.includes(c.status) && c.window !== null) || null;
  }

  function renderCurrent() {
    const call = current();
    $("current-call").hidden = !call;
    $("idle").hidden = Boolean(call);
    root.dataset.current = call ? call.number + ">" + call.window : "";
    if (!call) return;
    $("current-number").textContent = call.number;
    $("current-window").replaceChildren(windowLine(call.window));
  }

  function windowLine(window) {
    const line = document.createElement("div");
    line.className = "bi";
    const zh = document.createElement("span");
    zh.className = "zh"; zh.lang = "zh-CN";
    const no = document.createElement("span");
    no.className = "window-no"; no.id = "current-window-no"; no.textContent = window;
    zh.append("请到", no, "号窗口办理");
    const en = document.createElement("span");
    en.className = "en"; en.lang = "en"; en.textContent = "Please go to window " + window;
    line.append(zh, en);
    return line;
  }

  function flash() {
    const box = $("current-call");
    box.classList.remove("flash");
    void box.offsetWidth;  // restart the animation
    box.classList.add("flash");
  }
  $("current-call").addEventListener("animationend", (e) => e.currentTarget.classList.remove("flash"));

  function renderRecent() {
    const now = current();
    const items = calls.filter((c) => c !== now && c.window !== null).slice(0, RECENT_SHOWN).map((c) => {
      const li = document.createElement("li");
      if (!IN_HAND.includes(c.status)) li.className = "done";
      const number = document.createElement("span");
      number.className = "num"; number.textContent = c.number;
      const to = QHall.bi(c.window + " 号窗口", "Window " + c.window);
      to.classList.add("to");
      li.append(number, to);
      return li;
    });
    if (!items.length) {
      const li = document.createElement("li");
      li.className = "recent-empty";
      li.append(QHall.bi("暂无", "None yet"));
      items.push(li);
    }
    $("recent-calls").replaceChildren(...items);
    fitList($("recent-calls"));
  }

  function windowWhat(c) {
    if (c.state === "paused") return QHall.bi("暂停服务", "Paused");
    if (c.state === "closed") return QHall.bi("暂未开放", "Closed");
    if (c.serving) { const s = document.createElement("span"); s.textContent = c.serving; return s; }
    return QHall.bi("等候叫号", "Ready");
  }

  function renderWindows() {
    const cards = counters.slice().sort((a, b) => a.window - b.window).map((c) => {
      const li = document.createElement("li");
      li.className = "window-card";
      li.dataset.state = c.state;
      li.dataset.window = c.window;
      const no = document.createElement("div");
      no.className = "no"; no.textContent = c.window;
      const name = QHall.bi(c.name, c.name_en, "div");
      name.classList.add("name");
      const what = document.createElement("div");
      what.className = "what";
      what.append(windowWhat(c));
      li.append(no, name, what);
      return li;
    });
    $("windows").replaceChildren(...cards);
    fit($("windows").parentElement);
  }

  function renderWaiting() {
    const rows = services.map((s) => {
      const tr = document.createElement("tr");
      tr.dataset.service = s.code;
      const name = document.createElement("td");
      const code = document.createElement("span");
      code.className = "code"; code.textContent = s.code;
      name.append(code, QHall.bi(s.name, s.name_en));
      const count = document.createElement("td");
      count.className = "count"; count.textContent = s.waiting;
      const wait = QHall.formatWait(s.estimate, s.estimated_wait_s);
      const est = document.createElement("td");
      est.append(QHall.bi(wait.zh, wait.en));
      tr.append(name, count, est);
      return tr;
    });
    $("waiting-rows").replaceChildren(...rows);
    fit($("waiting-rows").closest("section"));
    // Standing, the content has the height the waits and the windows leave it.
    fit($("content-panel"));
  }

  // --- the clock ----------------------------------------------------------------------
  const zone = root.dataset.timezone || "Asia/Shanghai";
  const timeFormat = new Intl.DateTimeFormat("zh-CN", { timeZone: zone, hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });
  const dateZh = new Intl.DateTimeFormat("zh-CN", { timeZone: zone, year: "numeric", month: "long", day: "numeric", weekday: "long" });
  const dateEn = new Intl.DateTimeFormat("en-GB", { timeZone: zone, weekday: "short", day: "numeric", month: "short", year: "numeric" });
  function tick() {
    const now = new Date();
    $("clock-time").textContent = timeFormat.format(now);
    $("clock-date").replaceChildren(QHall.bi(dateZh.format(now), dateEn.format(now)));
  }
  tick();
  setInterval(tick, 1000);

  // --- rotating content ---------------------------------------------------------------
  const panel = $("content-panel");
  let items = [];
  let shown = -1;
  // "?item=<key>" starts the rotation at one item: to preview new content on the screen.
  let startAt = new URLSearchParams(location.search).get("item");
  let rotation = null;

  async function loadContent() {
    let refreshS = 60;
    try {
      const answer = await QHall.api("GET", root.dataset.contentUrl, undefined, { retries: 1 });
      items = answer.items;
      refreshS = answer.refresh_s;
      if (rotation === null || !items.length) showNext();
    } catch (error) { console.error("content", error); }
    setTimeout(loadContent, refreshS * 1000);
  }

  function showNext() {
    clearTimeout(rotation);
    rotation = null;
    if (!items.length) { panel.dataset.item = ""; return; }
    shown = (shown + 1) % items.length;
    if (startAt) {
      shown = Math.max(0, items.findIndex((i) => i.key === startAt));
      startAt = null;
    }
    const item = items[shown];
    panel.dataset.item = item.key;
    $("content-kind").replaceChildren(QHall.bi(item.kind_name, item.kind_name_en));
    $("content-title").replaceChildren(QHall.bi(item.title || item.kind_name, item.title_en || item.kind_name_en));
    const image = $("content-image");
    image.hidden = !item.image;
    panel.classList.toggle("has-image", Boolean(item.image));
    if (item.image) image.src = item.image;
    const body = QHall.bi(item.body, item.body_en, "div");
    $("content-body").replaceChildren(body);
    if (item.image) image.onload = () => fit(panel);
    fit(panel);
    rotation = setTimeout(showNext, Math.max(3, item.seconds) * 1000);
  }

  loadContent();
  // Panels are fitted to their text, so fit again once the CJK font has loaded or the
  // screen has turned.
  const refit = () => { render(); fit(panel); };
  window.addEventListener("resize", refit);
  document.fonts.ready.then(refit);
  // While disconnected the call shown may no longer be current: dim it until the snapshot.
  function onStatus(online) { if (!online) root.dataset.online = "false"; }
  function onFreshSnapshot(snapshot) { root.dataset.online = "true"; onSnapshot(snapshot); }
  QHall.connectHall({ unit }, { onSnapshot: onFreshSnapshot, onEvent, onStatus, backstopMs: 30000 });
})();
