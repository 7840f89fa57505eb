/* The calendar page's "many days at once" form: the lines go to the server as typed, which
   reads and checks them (qhall.workdays.parse_days) and saves them all or none. */
(function () {
  "use strict";
  const form = document.getElementById("calendar-days-form");
  if (!form) return;
  const message = document.getElementById("calendar-days-message");

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const saved = await QAdmin.submit(form, message, () =>
      QHall.api("POST", "/api/admin/calendar/days", { text: form.elements.text.value }));
    if (!saved) return;
    const years = saved.years.join("、");
    const check = saved.cases_to_check;
    if (check.length) {  // counted before these days were known: their deadlines stand as given
      QAdmin.say(message, "已保存 " + saved.saved + " 天（" + years + " 年）。以下在办件的期限在录入前计算，请人工核对：" + check.join("、"),
        "Saved " + saved.saved + " day(s). These running cases were counted before the days were entered; check them by hand: " + check.join(", "), "error");
      return;  // the list stays on the page to be copied
    }
    QAdmin.say(message, "已保存 " + saved.saved + " 天（" + years + " 年），已记入操作日志。",
      "Saved " + saved.saved + " day(s) of " + saved.years.join(", ") + ", recorded in the audit log.", "ok");
    setTimeout(() => window.location.reload(), 800);
  });
})();
