/* What the window client's scripts share (loaded first, then casework.js and counter.js,
   each a plain script): the desk this page is (its hall, who is signed in, at which
   window), small DOM helpers, messages, and a small form in a dialog. */
(function () {
  "use strict";

  const $ = (selector, root) => (root || document).querySelector(selector);
  const bi = QHall.bi;
  const app = $("#app");
  const unit = app.dataset.unit;

  /** The hall this page serves; once signed in, who sits at which window (counter.js
      sets me and windowNo). */
  const desk = {
    unit,
    base: "/api/units/" + encodeURIComponent(unit),
    services: app.dataset.services ? app.dataset.services.split(",") : [],
    me: null,
    windowNo: null,
  };

  // --- small helpers ---------------------------------------------------------------

  function el(tag, className, ...children) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    node.append(...children.filter((c) => c !== null && c !== undefined));
    return node;
  }

  function say(target, zh, en, kind) {
    target.replaceChildren(bi(zh, en));
    target.className = "message " + (kind || "");
  }

  function sayError(target, error) {
    say(target, error.zh || "网络不通，请稍后再试。", error.en || "Could not reach the server. Please try again.", "error");
  }

  function button(zh, en, onClick, className) {
    const b = el("button", className || "small", bi(zh, en));
    b.type = "button";
    b.addEventListener("click", onClick);
    return b;
  }

  function duration(seconds) {
    if (seconds === null || seconds === undefined) return bi("—", "—");
    const m = Math.floor(seconds / 60), s = seconds % 60;
    return bi(m + " 分 " + s + " 秒", m + " min " + s + " s");
  }

  // --- a small form in a dialog, for what an action needs to know -----------------

  /** Ask for fields [{name, zh, en, type, options, required, value}]; resolve to the
      values, or null if cancelled. */
  function ask(zh, en, fields) {
    const dialog = $("#ask");
    $("#ask-title").replaceChildren(bi(zh, en));
    const box = $("#ask-fields");
    box.replaceChildren();
    for (const f of fields) {
      let input;
      if (f.type === "select") {
        input = el("select");
        for (const o of f.options) {
          const option = el("option", null, o.label || o.value);
          option.value = o.value;
          option.disabled = !!o.disabled;  // shown, but nobody is there to take it
          input.append(option);
        }
      } else if (f.type === "textarea") {
        input = el("textarea");
        input.rows = 3;
      } else {
        input = el("input");
        input.type = f.type || "text";
      }
      input.name = f.name;
      input.required = !!f.required;
      if (f.value !== undefined) input.value = f.value;
      box.append(el("label", null, bi(f.zh, f.en), input));
    }
    return new Promise((resolve) => {
      const form = $("#ask-form");
      function done(values) {
        form.removeEventListener("submit", onSubmit);
        $("#ask-cancel").removeEventListener("click", onCancel);
        dialog.removeEventListener("cancel", onCancel);
        if (dialog.open) dialog.close();
        resolve(values);
      }
      function onSubmit(event) {
        event.preventDefault();
        if (!form.reportValidity()) return;
        const values = {};
        for (const f of fields) values[f.name] = form.elements[f.name].value.trim();
        done(values);
      }
      function onCancel(event) { event.preventDefault(); done(null); }
      form.addEventListener("submit", onSubmit);
      $("#ask-cancel").addEventListener("click", onCancel);
      dialog.addEventListener("cancel", onCancel);
      dialog.showModal();
      const first = box.querySelector("input, select, textarea");
      if (first) first.focus();
    });
  }

  // --- where a visitor may be sent or a matter referred, by name -------------------

  /** Ask the server where the hall can send someone now (GET …/transfer-targets). */
  function targets() {
    return QHall.api("GET", desk.base + "/transfer-targets");
  }

  /** "3号窗口 · 婚姻登记、收养登记 · 张三" for an open window of targets().windows. */
  function windowLabel(w) {
    return [w.window + "号窗口", w.service_names.join("、") || w.name, w.staff].filter(Boolean).join(" · ");
  }

  /** "A · 婚姻登记", or marked when no open window serves it. */
  function serviceLabel(s) {
    return s.code + " · " + s.name + (s.open_windows ? "" : "（暂无窗口办理 / No window open）");
  }

  window.QCounter = { $, bi, desk, el, say, sayError, button, duration, ask, targets, windowLabel, serviceLabel };
})();
