/* Confirm the month's model window and service star (the unit's manager). */
(function () {
  "use strict";
  const form = document.getElementById("selection-form");
  if (!form) return;
  const message = document.getElementById("selection-message");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const picked = (name) => { const r = form.querySelector('input[name="' + name + '"]:checked'); return r ? r.value : null; };
    const window_ = picked("window");
    const body = { unit: form.dataset.unit, month: form.dataset.month, window: window_ ? Number(window_) : null, staff: picked("staff") };
    const done = await QAdmin.submit(form, message, () => QHall.api("POST", "/api/admin/selections", body));
    if (!done) return;
    QAdmin.say(message, "已确认，下月起在大厅屏幕展示。谢谢！", "Confirmed: shown on the hall screens next month. Thank you!", "ok");
    setTimeout(() => window.location.reload(), 600);
  });
})();
