/* The outbox page: a waiting message's two buttons call /api/admin/outbox/<id>/retry or
   …/cancel (one Idempotency-Key a click, from QHall.api); the page then reloads, so the
   counts and the row show what the server now holds. Cancelling asks first: it is final. */
(function () {
  "use strict";
  const { $, say, submit } = QAdmin;
  const message = $("#outbox-message");
  const DONE = {
    retry: ["已安排立即重试，发送结果稍后在此显示。", "It will be tried again now; the result shows here shortly."],
    cancel: ["已取消发送，已记入操作日志。", "Cancelled, and recorded in the audit log."],
  };

  document.querySelectorAll("#outbox tr[data-message]").forEach((row) => {
    row.querySelectorAll("button[data-act]").forEach((button) => {
      button.addEventListener("click", async () => {
        const act = button.dataset.act;
        if (act === "cancel" && !window.confirm("确定取消发送这条消息？取消后不会再发送。\nCancel this message? It will never be sent.")) return;
        const done = await submit(row, message, () =>
          QHall.api("POST", "/api/admin/outbox/" + row.dataset.message + "/" + act));
        if (!done) return;
        say(message, DONE[act][0], DONE[act][1], "ok");
        setTimeout(() => window.location.reload(), 1500);
      });
    });
  });
})();
