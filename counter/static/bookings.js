/* Today's bookings for the hall's window staff (counter/bookings_page.py): per service the
   counts by state, then each booking in slot order with its time, masked name, state and
   its ticket's number once checked in at the kiosk. Read again every 30 s. */
(function () {
  "use strict";

  const REFRESH_MS = 30000;
  const $ = (id) => document.getElementById(id);
  const bi = QHall.bi;
  const root = $("bookings-app");
  const STATES = {
    booked: ["待签到", "Not yet checked in"],
    checked_in: ["已签到", "Checked in"],
    no_show: ["未到", "No-show"],
    cancelled: ["已取消", "Cancelled"],
  };
  const stateWords = (state) => bi(...(STATES[state] || [state, state]));

  function el(tag, className, ...children) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    node.append(...children);
    return node;
  }

  function serviceCard(service) {
    const counts = el("p", "bk-counts", ...Object.keys(STATES).map((state) =>
      el("span", "bk-state bk-" + state, stateWords(state), " " + (service.counts[state] || 0))));
    const rows = service.bookings.map((b) => el("tr", "bk-" + b.state,
      el("td", "bk-time", b.start + "–" + b.end),
      el("td", "", b.visitor_name),
      el("td", "", stateWords(b.state)),
      el("td", "bk-ticket", b.ticket_number || "—")));
    const head = el("tr", "", ...[["时段", "Time"], ["姓名", "Name"], ["状态", "State"], ["号码", "Ticket"]]
      .map(([zh, en]) => el("th", "", bi(zh, en))));
    return el("section", "card bk-service",
      el("h2", "", service.service + " · ", bi(service.name, service.name_en)),
      counts, el("table", "bk-table", el("thead", "", head), el("tbody", "", ...rows)));
  }

  async function load() {
    try {
      const day = await QHall.api("GET", root.dataset.url);
      $("bk-services").replaceChildren(...day.services.map(serviceCard));
      $("bk-none").hidden = day.services.length > 0;
      $("bk-error").hidden = true;
      const at = new Date().toLocaleTimeString("zh-CN", { hour12: false });
      $("bk-updated").replaceChildren(bi(day.day + " · 更新于 " + at + "（每 30 秒刷新）",
                                         day.day + " · updated " + at + " (every 30 s)"));
    } catch (error) {
      const message = error instanceof QHall.ApiError ? error
        : { zh: "暂时无法连接服务器，稍后自动重试。", en: "The server cannot be reached; trying again shortly." };
      $("bk-error").replaceChildren(bi(message.zh, message.en));
      $("bk-error").hidden = false;
    }
  }

  document.querySelectorAll("[data-lang-choice]").forEach((b) =>
    b.addEventListener("click", () => QHall.setLanguage(b.dataset.langChoice)));
  load();
  setInterval(load, REFRESH_MS);
})();
