/* The kiosk's check-in screen (kiosk/check_in.py): a scanner types the ticket's QR code (the
   address of its phone page, …/t/<token>) and Enter into the scan field; or the visitor
   types the number and the code the phone shows. Either is sent with the kiosk's device
   token (kept by the kiosk page, kiosk.js), which proves the request comes from the hall.
   The hall's QR code of today is fetched with the same token and shown for phones. */
(function () {
  "use strict";

  const $ = (id) => document.getElementById(id);
  const root = $("check-in");
  const device = localStorage.getItem("qhall-device:" + root.dataset.unit);
  const asKiosk = device ? { "X-Device-Token": device } : {};
  const RESULT_S = 8;

  $("lang-switch").addEventListener("click", () => {
    QHall.setLanguage(document.documentElement.dataset.lang === "en" ? "zh" : "en");
  });

  let clearing = null;
  function say(ok, zh, en) {
    const result = $("result");
    result.dataset.ok = ok ? "yes" : "no";
    result.replaceChildren(QHall.bi(zh, en));
    result.hidden = false;
    clearTimeout(clearing);
    clearing = setTimeout(() => { result.hidden = true; $("scan").focus(); }, RESULT_S * 1000);
  }

  async function send(body) {
    try {
      const answer = await QHall.api("POST", root.dataset.checkInUrl, body, { headers: asKiosk });
      const t = answer.ticket;
      say(true, t.number + " 签到成功！前面还有 " + t.ahead + " 人，请留意叫号。",
          t.number + " is checked in! " + t.ahead + " ahead of you; please listen for your number.");
    } catch (error) {
      const message = error instanceof QHall.ApiError ? error
        : { zh: "网络不通，请稍后再试或咨询工作人员。", en: "No connection. Please try again or ask the staff." };
      say(false, message.zh, message.en);
    }
  }

  // The QR code carries the phone page's address; its last part is the ticket's token.
  function tokenOf(scanned) {
    const match = /\/t\/([A-Za-z0-9_-]+)\/?$/.exec(scanned.trim());
    return match ? match[1] : null;
  }

  $("scan-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const token = tokenOf($("scan").value);
    $("scan").value = "";
    if (token) send({ token });
    else say(false, "未能识别该二维码，请扫描手机号票页面上的二维码。", "That code was not recognised. Please scan the QR code on your ticket's phone page.");
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
