/* Live figures: a unit's page joins the hall's room and redraws on every event (and every
   few seconds, for printers and the clock); the bureau's page asks every few seconds. */
(function () {
  "use strict";
  const bi = QHall.bi;
  const box = document.getElementById("live");
  const unit = box.dataset.unit;
  const url = "/api/admin/live" + (unit ? "?unit=" + encodeURIComponent(unit) : "");
  const STATE = { open: ["开放", "Open"], paused: ["暂停", "Paused"], closed: ["关闭", "Closed"] };
  const PRINTER = { online: ["正常", "online"], paper_near_end: ["纸将用尽", "paper low"], paper_out: ["缺纸", "paper out"], offline: ["离线", "offline"], unknown: ["未知", "unknown"] };

  function minutes(s) { return Math.floor((s || 0) / 60); }
  function pct(v) { return v === null || v === undefined ? "—" : (v * 100).toFixed(1) + "%"; }
  function el(tag, className, ...children) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    node.append(...children);
    return node;
  }
  function tile(key, value, alarm) {
    const t = box.querySelector('[data-tile="' + key + '"]');
    t.querySelector(".tile-value").replaceChildren(value);
    t.classList.toggle("alarm", !!alarm);
  }

  function draw(data) {
    const t = data.totals;
    const target = Math.min(...data.units.map((u) => u.target_wait_s));
    tile("waiting", String(t.waiting));
    tile("longest_wait", bi(minutes(t.longest_wait_s) + " 分钟", minutes(t.longest_wait_s) + " min"), t.longest_wait_s > target);
    tile("windows", t.windows_open + " / " + t.windows_paused);
    tile("issued", String(t.issued));
    tile("served", String(t.served));
    const sl = data.units.length === 1 ? data.units[0].service_level : null;
    tile("service_level", data.units.length === 1 ? pct(sl) : bi("见各单位", "per unit"), sl !== null && sl < 0.8);
    tile("cases", t.cases_due_today + " / " + t.cases_overdue, t.cases_overdue > 0);
    tile("bad", String(t.bad_ratings_open), t.bad_ratings_open > 0);
    document.getElementById("alerts").replaceChildren(...data.alerts.map((a) =>
      el("div", "alert", bi((a.unit_name ? a.unit_name + "：" : "") + a.message, (a.unit ? a.unit + ": " : "") + a.message_en))));
    document.getElementById("live-at").replaceChildren(bi("更新于 " + new Date(data.at).toLocaleTimeString("zh-CN"), "Updated " + new Date(data.at).toLocaleTimeString("en-GB")));
    document.getElementById("units").replaceChildren(...data.units.map(card));
  }

  // A window belongs to whoever opened it; the hall's manager may release one left open
  // (its visitor in hand goes back to the front of the line).
  const releases = box.dataset.releases === "yes";
  function releaseButton(unitCode, w) {
    const button = el("button", "button small", bi("释放窗口", "Release"));
    button.type = "button";
    button.addEventListener("click", async () => {
      if (!window.confirm(w.window + "号窗口由 " + w.staff + " 开启。确定释放吗？\nRelease window " + w.window + ", opened by " + w.staff + "?")) return;
      button.disabled = true;
      try {
        await QHall.api("POST", "/api/units/" + encodeURIComponent(unitCode) + "/counters/" + w.window + "/release");
      } catch (error) {
        window.alert((error.zh || "释放失败，请重试。") + "\n" + (error.en || "The release failed; please try again."));
      }
      refresh();
    });
    return button;
  }

  function card(u) {
    const late = u.longest_wait_s > u.target_wait_s;
    const rows = [
      [["正在等候", "Waiting"], String(u.waiting)],
      [["最长等候", "Longest wait"], bi(minutes(u.longest_wait_s) + " 分钟（目标 " + minutes(u.target_wait_s) + "）", minutes(u.longest_wait_s) + " min (target " + minutes(u.target_wait_s) + ")")],
      [["今日取号 / 办结 / 过号", "Issued / served / no-shows"], u.issued + " / " + u.served + " / " + u.no_shows],
      [["服务达标率", "Service level"], pct(u.service_level)],
      [["今日满意率", "Satisfied today"], pct(u.satisfaction)],
      [["今日到期 / 逾期办件", "Cases due / overdue"], u.cases_due_today + " / " + u.cases_overdue],
      [["待整改差评", "Open bad ratings"], String(u.bad_ratings_open)],
    ];
    const dl = el("dl");
    for (const [[zh, en], value] of rows) dl.append(el("dt", null, bi(zh, en)), el("dd", null, value));
    if (late) dl.children[3].classList.add("late");
    const windows = el("ul", "windows", ...u.windows.map((w) => {
      const s = STATE[w.state] || [w.state, w.state];
      const text = w.window + "号 " + s[0] + (w.state === "paused" ? "（" + (w.pause_reason || "") + "，" + minutes(w.for_s) + " 分钟）" : "") + (w.staff ? " · " + w.staff : "");
      const textEn = "W" + w.window + " " + s[1] + (w.state === "paused" ? " (" + (w.pause_reason_en || "") + ", " + minutes(w.for_s) + " min)" : "");
      const item = el("li", w.state, bi(text, textEn));
      if (releases && w.staff && w.state !== "closed") item.append(" ", releaseButton(u.unit, w));
      return item;
    }));
    const printers = el("p", "hint", bi("打印机：", "Printers: "),
      ...(u.printers.length ? u.printers.map((p) => bi(p.name + " " + (PRINTER[p.status] || [p.status])[0] + " ", p.name + " " + (PRINTER[p.status] || [0, p.status])[1] + " ")) : [bi("未配置", "none")]));
    const link = el("a", null, bi("查看", "Open"));
    link.href = "/admin/?unit=" + encodeURIComponent(u.unit);
    return el("section", "card unit-card", el("h3", null, bi(u.name, u.name_en), link), dl, windows, printers);
  }

  // One fetch at a time; an event that arrives during a fetch asks for one more after it,
  // so the figures never stop short of the last change.
  let fetching = false;
  let again = false;
  async function refresh() {
    if (fetching) { again = true; return; }
    fetching = true;
    try { draw(await QHall.api("GET", url)); } catch (error) { console.error(error); } finally {
      fetching = false;
      if (again) { again = false; refresh(); }
    }
  }
  refresh();
  setInterval(refresh, Number(box.dataset.pollMs) || 5000);
  if (unit) {
    // Any event in the hall (a ticket, a call, a pause, a printer) changes the figures.
    QHall.connectHall({ unit }, {
      onSnapshot: refresh,
      onEvent: refresh,
      onAlert: (alert) => document.getElementById("alerts").prepend(
        el("div", "alert", bi(alert.message, alert.message_en))),
    });
  }
})();
