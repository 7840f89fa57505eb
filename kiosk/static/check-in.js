/* The kiosk's check-in screen (kiosk/check_in.py): a scanner types the ticket's QR code (the
   address of its phone page, …/t/<token>) and Enter into the scan field; or the visitor
   types the number and the code the phone shows. A booking's QR holds just its code
   (kiosk/booking_check_in.py), scanned into the same field or typed: it becomes a ticket,
   printed here as the kiosk prints any ticket, with the word why if it is not priority. Either is sent with the kiosk's device
   token (kept by the kiosk page, kiosk.js), which proves the request comes from the hall.
   The hall's QR code of today is fetched with the same token and shown for phones. */
(function () {
  "use strict";

  const $ = (id) => document.getElementById(id);
  const root = $("check-in");
  const device = localStorage.getItem("qhall-device:" + root.dataset.unit);
  const asKiosk = device ? { "X-Device-Token": device } : {};
  const RESULT_S = 8;
  const BOOKING_RESULT_S = 20;
  const PRINT_WAIT_MS = 10000, PRINT_POLL_MS = 500;

  $("lang-switch").addEventListener("click", () => {
    QHall.setLanguage(document.documentElement.dataset.lang === "en" ? "zh" : "en");
  });

  let clearing = null;
  function say(ok, zh, en, ...more) {
    const result = $("result");
    result.dataset.ok = ok ? "yes" : "no";
    result.replaceChildren(QHall.bi(zh, en), ...more);
    result.hidden = false;
    clearTimeout(clearing);
    // A booking's ticket stays long enough to read its number and the word why.
    const seconds = more.length ? BOOKING_RESULT_S : RESULT_S;
    clearing = setTimeout(() => { result.hidden = true; $("scan").focus(); }, seconds * 1000);
  }

  function failed(error) {
    const message = error instanceof QHall.ApiError ? error
      : { zh: "网络不通，请稍后再试或咨询工作人员。", en: "No connection. Please try again or ask the staff." };
    say(false, message.zh, message.en);
  }

  // --- bookings ------------------------------------------------------------------------

  const alphabet = root.dataset.codeAlphabet;
  function isBookingCode(text) {
    return text.length === Number(root.dataset.codeLength) && [...text].every((c) => alphabet.includes(c));
  }

  function line(className, ...children) {
    const p = document.createElement("span");
    p.className = className;
    p.append(...children);
    return p;
  }

  async function checkInBooking(code) {
    let answer;
    try {
      answer = await QHall.api("POST", root.dataset.bookingUrl, { code }, { headers: asKiosk });
    } catch (error) { failed(error); return; }
    const t = answer.ticket;
    const number = line("c-number", t.number);
    const printing = line("c-print", "");
    if (answer.already) {
      say(true, "您已签到过，您的号码是", "You have checked in already. Your number is", number,
          line("c-line", QHall.bi("请留意叫号。", "Please listen for your number.")));
      return;
    }
    const kind = answer.on_time ? QHall.bi("预约优先，请留意叫号。前面还有 " + t.ahead + " 人。",
                                           "Booked: called first. " + t.ahead + " ahead of you.")
      : QHall.bi("前面还有 " + t.ahead + " 人，请留意叫号。", t.ahead + " ahead of you; please listen for your number.");
    const why = answer.note ? [line("c-note", QHall.bi(answer.note.zh, answer.note.en))] : [];
    say(true, "预约签到成功！您的号码是", "Checked in! Your number is", number,
        line("c-line", kind), ...why, printing);
    printTicket(t.token, printing);
  }

  // As the kiosk's home screen prints (kiosk.js): once per ticket, followed a few seconds.
  async function printTicket(token, where) {
    if (!root.dataset.printer) return;
    const tell = (zh, en) => where.replaceChildren(QHall.bi(zh, en));
    tell("正在打印号票…", "Printing your ticket…");
    try {
      const url = "/api/tickets/" + encodeURIComponent(token) + "/print";
      let job = (await QHall.api("POST", url, { kiosk: root.dataset.kiosk }, { headers: asKiosk })).job;
      const deadline = Date.now() + PRINT_WAIT_MS;
      while (job.status === "pending" && job.attempts === 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, PRINT_POLL_MS));
        job = await QHall.api("GET", "/api/print-jobs/" + job.id, undefined, { headers: asKiosk });
      }
      if (job.status === "printed") { tell("请取走号票。", "Please take your ticket."); return; }
    } catch (error) { /* told below */ }
    tell("号票未能打印，请记下您的号码，或咨询工作人员。", "The ticket did not print. Please note your number, or ask the staff.");
  }

  async function send(body) {
    try {
      const answer = await QHall.api("POST", root.dataset.checkInUrl, body, { headers: asKiosk });
      const t = answer.ticket;
      say(true, t.number + " 签到成功！前面还有 " + t.ahead + " 人，请留意叫号。",
          t.number + " is checked in! " + t.ahead + " ahead of you; please listen for your number.");
    } catch (error) { failed(error); }
  }

  // The QR code carries the phone page's address; its last part is the ticket's token.
  function tokenOf(scanned) {
    const match = /\/t\/([A-Za-z0-9_-]+)\/?$/.exec(scanned.trim());
    return match ? match[1] : null;
  }

  $("scan-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const scanned = $("scan").value.trim();
    const token = tokenOf(scanned);
    $("scan").value = "";
    if (token) send({ token });
    else if (isBookingCode(scanned.toUpperCase())) checkInBooking(scanned.toUpperCase());
    else say(false, "未能识别该二维码，请扫描预约码或手机号票页面上的二维码。", "That code was not recognised. Please scan your booking's QR code or the one on your ticket's phone page.");
  });

  $("booking-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const code = $("booking-code").value.replace(/\s+/g, "").toUpperCase();
    if (!isBookingCode(code)) {
      say(false, "预约码为 8 位字母和数字，请核对后重新输入。", "A booking code has 8 letters and digits. Please check it.");
      return;
    }
    $("booking-code").value = "";
    checkInBooking(code);
  });

  $("code-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const number = $("number").value.trim(), code = $("code").value.trim();
    if (!number || !code) {
      say(false, "请输入号码和签到码。", "Please type the number and the check-in code.");
      return;
    }
    $("number").value = ""; $("code").value = "";
    send({ number, code });
  });

  async function showHallCode() {
    if (!device) return;  // not a registered kiosk: the staff print the code instead
    try {
      const response = await fetch(root.dataset.qrUrl, { headers: asKiosk, credentials: "same-origin" });
      if (!response.ok) return;
      $("hall-qr").src = URL.createObjectURL(await response.blob());
      $("hall-qr-box").hidden = false;
    } catch (error) { /* offline: the scan and the code still work once it is back */ }
  }
  showHallCode();
})();
