/* What every admin page shares: sign-in and out, the language, the unit choice, printing,
   and small helpers for forms that call the JSON API. */
(function () {
  "use strict";
  const $ = (s, root) => (root || document).querySelector(s);

  /** Show a bilingual message (or an API error) in a .message element. */
  function say(target, zh, en, kind) {
    target.replaceChildren(QHall.bi(zh, en));
    target.className = "message " + (kind || "");
  }
  function sayError(target, error) {
    say(target, error.zh || "网络不通，请稍后再试。", error.en || "Could not reach the server. Please try again.", "error");
  }
  /** Run an API call from a form: its buttons wait, its message tells how it went. */
  async function submit(form, message, call) {
    const buttons = form.querySelectorAll("button");
    buttons.forEach((b) => { b.disabled = true; });
    try {
      return await call();
    } catch (error) {
      sayError(message, error);
      return null;
    } finally {
      buttons.forEach((b) => { b.disabled = false; });
    }
  }
  window.QAdmin = { $, say, sayError, submit };

  const signIn = $("#sign-in-form");
  if (signIn) {
    signIn.addEventListener("submit", async (event) => {
      event.preventDefault();
      const message = $("#sign-in-message");
      const me = await submit(signIn, message, () => QHall.api("POST", "/api/session", {
        login: signIn.elements.login.value.trim(), password: signIn.elements.password.value,
      }, { retries: 0 }));
      if (!me) return;
      if (!["manager", "admin", "inspector"].includes(me.role)) {
        say(message, "抱歉，管理后台仅供负责人、管理员和督查人员使用。", "Sorry, the admin pages are for managers, administrators and inspectors.", "error");
        await QHall.api("DELETE", "/api/session");
        return;
      }
      const next = signIn.dataset.next || "/admin/";
      window.location.assign(next.startsWith("/admin") ? next : "/admin/");
    });
  }
  const signOut = $("#sign-out");
  if (signOut) {
    signOut.addEventListener("click", async () => {
      await QHall.api("DELETE", "/api/session").catch(() => null);
      window.location.assign("/admin/login");
    });
  }
  document.querySelectorAll("[data-lang-choice]").forEach((b) =>
    b.addEventListener("click", () => QHall.setLanguage(b.dataset.langChoice)));
  document.querySelectorAll("[data-autosubmit]").forEach((select) =>
    select.addEventListener("change", () => select.form.submit()));
  const print = $("#print");
  if (print) print.addEventListener("click", () => window.print());
})();
