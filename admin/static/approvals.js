/* The approvals page: each extension request's two buttons call the counter's decision
   route (one Idempotency-Key a click, from QHall.api); the page then reloads its lists. */
(function () {
  "use strict";
  const { $, say, submit } = QAdmin;
  const message = $("#approvals-message");

  document.querySelectorAll("form.approval").forEach((form) => {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const approve = event.submitter ? event.submitter.value === "approve" : false;
      const url = "/api/units/" + encodeURIComponent(form.dataset.unit) + "/cases/extension-decision";
      const done = await submit(form, message, () => QHall.api("POST", url, {
        number: form.dataset.number, approve, note: form.elements.note.value.trim(),
      }));
      if (!done) return;
      say(message, approve ? "已批准延期。" : "已不予延期。", approve ? "Extension approved." : "Extension refused.", "ok");
      form.remove();
      setTimeout(() => window.location.reload(), 800);
    });
  });
})();
