/* The screen above a window: the window, the staff member on duty with their model-post
   badges, and the window's state (a welcome / the number being served / 暂停服务 / 已下班),
   in the words and colours of the unit's profile.
   It joins the window's own room, whose events are only this window's. */
(function () {
  "use strict";

  const root = document.getElementById("counter");
  const unit = root.dataset.unit;
  const window_ = Number(root.dataset.window);
  const badges = JSON.parse(root.dataset.badges);
  const words = JSON.parse(root.dataset.words); // the unit profile's (qhall.profiles)
  const $ = (id) => document.getElementById(id);

  function render(c) {
    renderStaff(c.state === "closed" ? null : c.staff);
    const box = $("counter-state");
    box.dataset.state = c.state;
    let title, note = null, number = "";
    if (c.state === "closed") {
      title = QHall.bi("已下班", "Closed");
      note = QHall.bi(...words.closed);
    } else if (c.state === "paused") {
      title = QHall.bi("暂停服务", "Service paused");
      note = QHall.bi(c.pause_notice || "请到其他窗口办理，谢谢您的理解。",
        c.pause_notice_en || "Please go to another window. Thank you for your understanding.");
    } else if (c.serving) {
      number = c.serving;
      if (c.serving_status === "called") {
        title = QHall.bi("请到本窗口办理", "Please come to this window");
        note = QHall.bi("请 " + c.serving + " 号到本窗口办理，谢谢", "Number " + c.serving + ", please come to this window. Thank you.");
      } else {
        title = QHall.bi("正在办理", "Now serving");
      }
    } else {
      title = QHall.bi(...words.welcome);
      note = QHall.bi("请留意叫号，谢谢您的耐心等候", "Please listen for your number. Thank you for waiting.");
    }
    $("state-title").replaceChildren(title);
    $("serving-number").textContent = number;
    $("state-note").replaceChildren(...(note ? [note] : []));
  }

  function renderStaff(staff) {
    $("staff-card").hidden = !staff;
    if (!staff) return;
    $("staff-name").textContent = staff.name;
    $("staff-no").textContent = staff.employee_no || "—";
    $("staff-initial").textContent = staff.name.slice(0, 1);
    const photo = $("staff-photo");
    photo.hidden = !staff.photo;
    $("staff-initial").hidden = Boolean(staff.photo);
    if (staff.photo) photo.src = root.dataset.photoUrl + encodeURIComponent(staff.photo);
    $("staff-badges").replaceChildren(...(staff.badges || []).filter((code) => badges[code]).map((code) => {
      const li = document.createElement("li");
      li.dataset.badge = code;
      li.append(QHall.bi(badges[code][0], badges[code][1]));
      return li;
    }));
  }

  function onSnapshot(snapshot) {
    const mine = snapshot.counters.find((c) => c.window === window_);
    if (mine) render(mine);
  }

  function onEvent(_name, event) {
    if (event.counter_view && event.counter_view.window === window_) render(event.counter_view);
  }

  QHall.connectHall({ unit, counter: window_ }, { onSnapshot, onEvent, backstopMs: 30000 });
})();
