/* qhall's shared browser code: bilingual text, JSON API calls that survive network drops,
   and a live hall connection that always shows the true current state.

   Live connection rules (see qhall/web/realtime.py):
   - on every (re)connect, join again and redraw from the snapshot in the ack; a refused
     join is tried again later, less and less often;
   - in a hall room, an event whose seq is not last+1 means one was missed: take a new
     snapshot (events at or below the last seq are old and ignored); "event.withheld"
     (an event only the staff get) moves the seq on and is not passed to the page;
   - a connection the server cut (too many messages) connects again after a while;
   - a periodic snapshot is the backstop for anything else that went wrong;
   - while disconnected, an offline badge says so. */
(function () {
  "use strict";

  /** Return an element with both languages; CSS shows the page's language (or both). */
  function bi(zh, en, tag) {
    const box = document.createElement(tag || "span");
    box.className = "bi";
    const z = document.createElement("span");
    z.className = "zh"; z.lang = "zh-CN"; z.textContent = zh;
    const e = document.createElement("span");
    e.className = "en"; e.lang = "en"; e.textContent = en;
    box.append(z, e);
    return box;
  }

  /** Set the page language ("zh" or "en"), remembered in a cookie for the next page. */
  function setLanguage(lang) {
    document.documentElement.dataset.lang = lang;
    document.documentElement.lang = lang === "en" ? "en" : "zh-CN";
    document.cookie = "lang=" + (lang === "en" ? "en" : "zh_CN") + "; path=/; max-age=31536000; SameSite=Lax";
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "k" + Date.now().toString(36) + Math.random().toString(36).slice(2, 12);
  }

  class ApiError extends Error {
    constructor(status, body) {
      super((body && body.message_en) || "HTTP " + status);
      this.status = status;
      this.body = body || {};
      this.zh = this.body.message || "请求未能完成，请稍后再试。";
      this.en = this.body.message_en || "The request could not be completed. Please try again.";
    }
  }

  /** Call the JSON API. A POST carries an Idempotency-Key, so a retry after a network
      drop (up to `retries` times, with a growing pause) can never act twice. Throws
      ApiError for an answer with an error status, or a TypeError if the server could not
      be reached at all. */
  async function api(method, url, body, options) {
    const opts = Object.assign({ retries: method === "GET" ? 2 : 3, key: null, timeoutMs: 8000 }, options);
    const headers = Object.assign({ "Accept": "application/json" }, opts.headers);
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (method !== "GET") headers["Idempotency-Key"] = opts.key || uuid();
    let lastError;
    for (let attempt = 0; attempt <= opts.retries; attempt++) {
      if (attempt > 0) {
        if (opts.onRetry) opts.onRetry(attempt);
        await new Promise((r) => setTimeout(r, 400 * attempt * attempt));
      }
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), opts.timeoutMs);
      try {
        const response = await fetch(url, {
          method, headers, credentials: "same-origin", signal: controller.signal,
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        const data = await response.json().catch(() => ({}));
        if (response.ok) return data;
        // 5xx may pass (a restart, a busy database); 4xx is the answer and will not change.
        lastError = new ApiError(response.status, data);
        if (response.status < 500) throw lastError;
      } catch (error) {
        if (error instanceof ApiError && error.status < 500) throw error;
        lastError = error;
      } finally {
        clearTimeout(timer);
      }
    }
    throw lastError;
  }

  /** Keep a live view of a hall. `join` is {unit} or {unit, counter}. Calls
      onSnapshot(snapshot) after every (re)join or resync and onEvent(name, payload) for
      each new event; onStatus(online) when the connection comes or goes. */
  function connectHall(join, handlers) {
    const h = Object.assign({ onSnapshot() {}, onEvent() {}, onStatus() {}, onAlert: null, backstopMs: 60000 }, handlers);
    const hallRoom = join.counter === undefined || join.counter === null;
    const socket = io({ transports: ["websocket", "polling"], reconnectionDelayMax: 5000 });
    let lastSeq = -1;
    let joining = false;
    let refusals = 0;

    function resync() {
      if (joining || !socket.connected) return;
      joining = true;
      socket.timeout(8000).emit("join", join, (err, snapshot) => {
        joining = false;
        if (err || !snapshot || snapshot.error) {
          if (snapshot && snapshot.error) console.error("join refused", snapshot);
          // 3 s, 6 s, 12 s … at most a minute: a join that keeps failing stays far below
          // the server's limit on messages.
          refusals += 1;
          setTimeout(resync, Math.min(60000, 3000 * 2 ** (refusals - 1)));
          return;
        }
        refusals = 0;
        lastSeq = snapshot.seq;
        h.onSnapshot(snapshot);
      });
    }

    // A failure of the server itself (a full disk, a database that will not answer): staff
    // pages pass onAlert and show it; public screens do not.
    if (h.onAlert) socket.on("system.alert", h.onAlert);
    // This account signed out (here or elsewhere), its password changed, or it was
    // deactivated: the page reloads and finds it must sign in again.
    socket.on("session_ended", () => { socket.disconnect(); window.location.reload(); });
    socket.on("connect", () => { showOffline(false); h.onStatus(true); resync(); });
    socket.on("disconnect", (reason) => {
      showOffline(true); h.onStatus(false);
      // The client reconnects by itself, except when the server cut the connection.
      if (reason === "io server disconnect") setTimeout(() => socket.connect(), 15000 + Math.random() * 15000);
    });
    socket.on("connect_error", () => { showOffline(true); h.onStatus(false); });
    socket.onAny((name, payload) => {
      if (!payload || typeof payload.seq !== "number") return;
      if (payload.seq <= lastSeq) return;           // already part of what we show
      if (hallRoom && lastSeq >= 0 && payload.seq !== lastSeq + 1) {
        resync();                                   // a gap: something was missed
        return;
      }
      lastSeq = payload.seq;
      if (name !== "event.withheld") h.onEvent(name, payload);
    });
    setInterval(resync, h.backstopMs);
    return { socket, resync };
  }

  function showOffline(offline) {
    let badge = document.getElementById("offline-badge");
    if (!badge) {
      badge = bi("网络连接中断，正在重新连接…", "Offline, reconnecting…", "div");
      badge.id = "offline-badge";
      badge.setAttribute("role", "status");
      document.body.appendChild(badge);
    }
    badge.hidden = !offline;
  }

  /** The wait as people read it, from an answer's `estimate` ({state, low_min, high_min},
      qhall.estimates) or, from an older server, its estimated_wait_s. `none` is true when
      no open window serves the service: then there is no figure at all. */
  function formatWait(estimate, seconds) {
    if (estimate && estimate.state === "no_window") return { zh: "暂无窗口办理", en: "No window open", none: true };
    if (estimate && estimate.state === "ok") {
      const low = estimate.low_min || 0, high = estimate.high_min || 0;
      if (high < 1) return { zh: "即将办理", en: "Very soon" };
      if (low < 1) return { zh: high + " 分钟内", en: "Within " + high + " min" };
      return { zh: "约 " + low + "–" + high + " 分钟", en: "About " + low + "–" + high + " min" };
    }
    if (typeof estimate === "number") seconds = estimate;
    if (seconds === null) return { zh: "暂无窗口办理", en: "No window open", none: true };
    const minutes = Math.max(0, Math.round((seconds || 0) / 60));
    if (minutes < 1) return { zh: "即将办理", en: "Very soon" };
    return { zh: "约 " + minutes + " 分钟", en: "About " + minutes + " min" };
  }

  window.QHall = { bi, setLanguage, uuid, api, ApiError, connectHall, formatWait };
})();
