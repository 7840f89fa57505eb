/* The visit's 办件编号 at the window (qhall/matters.py): beside the ticket in hand, a field
   to type or scan the number the bureau's business system gave the matter. A scanner types
   like a keyboard and ends with Enter, which saves; the key M puts the cursor in the field
   (the keypad's keys act only outside it). Saved, the number is shown back from the
   server's answer. counter.js calls showMatter(hand) whenever it redraws the window. */
(function () {
  "use strict";

  const { $, bi, desk, say, sayError } = QCounter;
  const form = $("#matter-form");
  const input = $("#matter-number");
  const message = $("#matter-saved");
  let shownFor = null;  // the ticket in hand the field is for ("A001"), or null

  function url() {
    return desk.base + "/counters/" + desk.windowNo + "/matter";
  }

  function showSaved(number) {
    if (number) say(message, "已记录办件编号：" + number, "Matter number saved: " + number, "ok");
    else say(message, "请输入或扫描本次办件的办件编号", "Type or scan this visit's matter number", "info");
  }

  /** Show the field for the ticket in hand (or hide it), with what was saved for it. */
  async function showMatter(hand) {
    const number = hand ? hand.number : null;
    form.hidden = !hand;
    if (number === shownFor) return;
    shownFor = number;
    input.value = "";
    message.replaceChildren();
    if (!hand) return;
    try {
      const saved = await QHall.api("GET", url());
      if (saved.ticket !== shownFor) return;  // another visitor was called meanwhile
      input.value = saved.matter_number || "";
      showSaved(saved.matter_number);
    } catch (error) {
      sayError(message, error);
    }
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button");
    if (button.disabled) return;  // a scanner's second Enter while the first saves
    button.disabled = true;
    try {
      const saved = await QHall.api("POST", url(), { matter_number: input.value.trim() });
      input.value = saved.matter_number;
      showSaved(saved.matter_number);
    } catch (error) {
      sayError(message, error);
    } finally {
      button.disabled = false;
    }
  });

  document.addEventListener("keydown", (event) => {
    if (event.key.toLowerCase() !== "m" || form.hidden || $("#ask").open) return;
    if (event.ctrlKey || event.altKey || event.metaKey || event.target.closest("input, textarea, select")) return;
    event.preventDefault();
    input.focus();
    input.select();
  });

  QCounter.showMatter = showMatter;
})();
