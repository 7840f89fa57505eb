/* Record an inspection (and publish its notice), answer a notice, accept or send it back. */
(function () {
  "use strict";
  const reload = () => setTimeout(() => window.location.reload(), 500);
  const form = document.getElementById("inspection-form");
  if (form) {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const f = form.elements;
      const message = document.getElementById("inspection-message");
      const findings = f.category.value ? [{ category: f.category.value, description: f.description.value, evidence: f.evidence.value }] : [];
      const inspection = await QAdmin.submit(form, message, () => QHall.api("POST", "/api/admin/inspections", {
        unit: f.unit.value, kind: f.kind.value, visited_on: f.visited_on.value,
        window: f.window.value ? Number(f.window.value) : null, staff: f.staff.value.trim() || null,
        summary: f.summary.value, findings,
      }));
      if (!inspection) return;
      if (f.publish.checked) {
        const text = findings.map((x) => x.description).join("；") || f.summary.value;
        const notice = await QAdmin.submit(form, message, () => QHall.api("POST", "/api/admin/notices", {
          unit: f.unit.value, inspection: inspection.id, title: f.title.value, body: text, deadline: f.deadline.value,
        }));
        if (!notice) return;
      }
      QAdmin.say(message, "已保存，谢谢。", "Saved. Thank you.", "ok");
      reload();
    });
  }
  document.querySelectorAll(".notice").forEach((item) => {
    const id = item.dataset.notice;
    const message = item.querySelector(".message");
    const respond = item.querySelector(".respond-form");
    if (respond) {
      respond.addEventListener("submit", async (event) => {
        event.preventDefault();
        const ok = await QAdmin.submit(respond, message, () =>
          QHall.api("POST", "/api/admin/notices/" + id + "/respond", { response: respond.elements.response.value }));
        if (ok) { QAdmin.say(message, "已提交整改情况。", "Response submitted.", "ok"); reload(); }
      });
    }
    const close = item.querySelector(".close-form");
    if (close) {
      close.addEventListener("submit", async (event) => {
        event.preventDefault();
        const accept = event.submitter ? event.submitter.dataset.accept === "true" : true;
        const ok = await QAdmin.submit(close, message, () =>
          QHall.api("POST", "/api/admin/notices/" + id + "/close", { accept, note: close.elements.note.value }));
        if (ok) { QAdmin.say(message, accept ? "已验收销号。" : "已退回。", accept ? "Closed." : "Sent back.", "ok"); reload(); }
      });
    }
  });
})();
