/* A hall's booking page (预约): service → day → slot → name and phone → the booking code
   and its QR. Or, with a code and its phone: find the booking, cancel it or move it.
   Every call goes to /api/units/<unit>/bookings/…; the server's polite words are shown
   as they come. */
(function () {
  "use strict";

  const $ = (id) => document.getElementById(id);
  $("lang-switch").addEventListener("click", () => {
    QHall.setLanguage(document.documentElement.dataset.lang === "en" ? "zh" : "en");
  });
  const unit = $("book").dataset.unit;
  const base = "/api/units/" + encodeURIComponent(unit) + "/bookings";
  const WEEKDAYS = [["周一", "Mon"], ["周二", "Tue"], ["周三", "Wed"], ["周四", "Thu"],
                    ["周五", "Fri"], ["周六", "Sat"], ["周日", "Sun"]];
  const picked = { service: null, day: null, start: null };
  let found = null;  // the booking being cancelled or moved, with its phone
  const texting = $("book").dataset.texts === "on";  // the phone is confirmed by a texted code

  if (texting) {
    $("send-code").addEventListener("click", async () => {
      clearError();
      $("send-code").disabled = true;
      try {
        const sent = await QHall.api("POST", base + "/phone-code", { phone: $("phone").value });
        $("code-sent").replaceChildren(QHall.bi(
          "验证码已发送，" + sent.minutes + " 分钟内有效。",
          "A code is on its way; it is good for " + sent.minutes + " minutes."));
        $("code-sent").hidden = false;
        $("phone-code").focus();
      } catch (error) { showError(error); }
      setTimeout(() => { $("send-code").disabled = false; }, 30000);  // no flood of texts
    });
  }

  function showError(error) {
    const message = error instanceof QHall.ApiError ? error
      : { zh: "网络不通，请稍后再试。", en: "No connection; please try again." };
    $("error").replaceChildren(QHall.bi(message.zh, message.en));
    $("error").hidden = false;
    $("error").scrollIntoView({ block: "nearest" });
  }
  function clearError() { $("error").hidden = true; }

  function choice(zh, en, smallZh, smallEn, onPick) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "b-choice";
    button.setAttribute("aria-pressed", "false");
    button.append(QHall.bi(zh, en));
    if (smallZh) button.append(QHall.bi(smallZh, smallEn, "small"));
    button.addEventListener("click", () => {
      for (const other of button.parentElement.children) other.setAttribute("aria-pressed", "false");
      button.setAttribute("aria-pressed", "true");
      clearError();
      onPick();
    });
    return button;
  }

  function dayLabel(iso) {
    const d = new Date(iso + "T00:00:00");
    const [wz, we] = WEEKDAYS[(d.getDay() + 6) % 7];
    const month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][d.getMonth()];
    return [(d.getMonth() + 1) + "月" + d.getDate() + "日", we + " " + d.getDate() + " " + month, wz, ""];
  }

  function what(b) {
    const [dz, de] = dayLabel(b.day);
    return QHall.bi(b.service_name + " · " + dz + " " + b.start + "–" + b.end,
                    b.service_name_en + " · " + de + " " + b.start + "–" + b.end);
  }

  // --- a new booking ---------------------------------------------------------------------

  async function loadServices() {
    try {
      const answer = await QHall.api("GET", base + "/services");
      $("no-services").hidden = answer.services.length > 0;
      $("services").replaceChildren(...answer.services.map((s) => choice(
        s.name, s.name_en, "每段 " + s.slot_minutes + " 分钟", s.slot_minutes + " min slots",
        () => pickService(s.service))));
    } catch (error) { showError(error); }
  }

  async function listDays(service, into, onDay) {
    const answer = await QHall.api("GET", base + "/slots?service=" + encodeURIComponent(service));
    into.replaceChildren(...answer.days.map((day) => {
      const [zh, en, wz] = dayLabel(day);
      return choice(zh, en, wz, "", () => onDay(day));
    }));
    return answer.days;
  }

  async function listSlots(service, day, into, onSlot) {
    const answer = await QHall.api("GET", base + "/slots?service=" + encodeURIComponent(service) + "&day=" + day);
    const slots = answer.slots.map((slot) => {
      const full = slot.free <= 0;
      const button = choice(slot.start, slot.start,
        full ? "已约满" : "余 " + slot.free, full ? "Full" : slot.free + " left", () => onSlot(slot));
      button.disabled = full;
      return button;
    });
    if (!slots.length) {
      slots.push(QHall.bi("当天已无可约时段，请选择其他日期。", "No times left that day; please choose another.", "p"));
    }
    into.replaceChildren(...slots);
  }

  async function pickService(service) {
    Object.assign(picked, { service, day: null, start: null });
    $("step-slot").hidden = true; $("step-person").hidden = true;
    try {
      const days = await listDays(service, $("days"), pickDay);
      $("step-day").hidden = false;
      if (!days.length) $("days").replaceChildren(QHall.bi("近期暂无可约日期，欢迎到大厅现场取号。", "No days can be booked soon; you are welcome to take a ticket at the hall.", "p"));
    } catch (error) { showError(error); }
  }

  async function pickDay(day) {
    Object.assign(picked, { day, start: null });
    $("step-person").hidden = true;
    try {
      await listSlots(picked.service, day, $("slots"), (slot) => {
        picked.start = slot.start;
        const [dz, de] = dayLabel(day);
        $("picked").replaceChildren(QHall.bi(dz + " " + slot.start + "–" + slot.end, de + " " + slot.start + "–" + slot.end));
        $("step-person").hidden = false;
        $("name").focus();
      });
      $("step-slot").hidden = false;
    } catch (error) { showError(error); }
  }

  $("step-person").addEventListener("submit", async (event) => {
    event.preventDefault();
    $("submit").disabled = true;
    clearError();
    try {
      const booking = await QHall.api("POST", base, {
        service: picked.service, day: picked.day, start: picked.start,
        name: $("name").value, phone: $("phone").value,
        id_number: $("id-number").value.trim() || null,  // optional: kept only as a keyed hash
        phone_code: texting ? $("phone-code").value.trim() : null,
      });
      $("id-number").value = "";
      showDone(booking, { zh: "预约成功，谢谢！", en: "Booked. Thank you!" });
    } catch (error) {
      showError(error);
      if (texting) $("phone-code").value = "";  // a code is used once: ask for a new one
      // The slot may have filled meanwhile (409): show the day's slots again. A word to
      // mend (400: a wrong code, say) keeps the form as the visitor filled it.
      if (picked.day && error instanceof QHall.ApiError && error.status === 409) pickDay(picked.day);
    }
    $("submit").disabled = false;
  });

  function showDone(booking, lead) {
    $("new").hidden = true; $("mine").hidden = true;
    $("done-lead").replaceChildren(QHall.bi(lead.zh, lead.en));
    $("code").textContent = booking.code;
    $("qr").src = "/book/" + encodeURIComponent(unit) + "/qr.svg?code=" + encodeURIComponent(booking.code);
    $("what").replaceChildren(what(booking));
    $("done").hidden = false;
    window.scrollTo(0, 0);
  }

  $("again").addEventListener("click", () => { window.location.reload(); });

  // --- finding, cancelling, moving -------------------------------------------------------

  function showTab(mine) {
    $("tab-new").setAttribute("aria-pressed", String(!mine));
    $("tab-mine").setAttribute("aria-pressed", String(mine));
    $("new").hidden = mine; $("mine").hidden = !mine; $("done").hidden = true;
    clearError();
  }
  $("tab-new").addEventListener("click", () => showTab(false));
  $("tab-mine").addEventListener("click", () => showTab(true));

  function showFound(booking) {
    found = Object.assign(booking, { phone: found ? found.phone : $("find-phone").value });
    $("found-code").textContent = booking.code;
    const state = {
      booked: ["已预约", "Booked"], cancelled: ["已取消", "Cancelled"],
      checked_in: ["已签到", "Checked in"], no_show: ["未到", "Missed"],
    }[booking.state] || [booking.state, booking.state];
    $("found-what").replaceChildren(what(booking), QHall.bi(state[0], state[1], "p"));
    $("found-actions").hidden = booking.state !== "booked";
    $("cancel-confirm").hidden = true; $("move-box").hidden = true;
    $("found").hidden = false;
  }

  $("find-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    clearError();
    found = null;
    try {
      showFound(await QHall.api("POST", base + "/find", { code: $("find-code").value.trim(), phone: $("find-phone").value }));
    } catch (error) { $("found").hidden = true; showError(error); }
  });

  $("cancel-ask").addEventListener("click", () => { $("cancel-confirm").hidden = false; $("cancel-yes").focus(); });
  $("cancel-keep").addEventListener("click", () => { $("cancel-confirm").hidden = true; });
  $("cancel-yes").addEventListener("click", async () => {
    try {
      showFound(await QHall.api("POST", base + "/cancel", { code: found.code, phone: found.phone }));
      $("found-what").append(QHall.bi("预约已取消。欢迎再次预约。", "Your booking is cancelled. You are welcome to book again.", "p"));
    } catch (error) { showError(error); }
  });

  $("move-ask").addEventListener("click", async () => {
    $("move-box").hidden = false;
    $("move-slots").replaceChildren();
    try {
      await listDays(found.service, $("move-days"), (day) => listSlots(found.service, day, $("move-slots"), async (slot) => {
        try {
          const moved = await QHall.api("POST", base + "/move", { code: found.code, phone: found.phone, day, start: slot.start });
          showDone(moved, { zh: "改约成功，预约码不变。", en: "Moved. Your code stays the same." });
        } catch (error) { showError(error); }
      }).catch(showError));
    } catch (error) { showError(error); }
  });

  loadServices();
})();
