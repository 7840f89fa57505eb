/* The window client's work lists (after counter-base.js, before counter.js): tabs, first
   inquiries, promised cases with their deadlines and extensions, and rectification of
   poor ratings. Every action is one API call through QHall.api; the lists are redrawn
   from the server, and counter.js redraws them when the hall's events say they changed. */
(function () {
  "use strict";

  const { $, bi, desk, el, say, sayError, button, ask, targets, windowLabel, serviceLabel } = QCounter;
  const base = desk.base;
  // A case's state in words (qhall.words.CASE_STATES).
  const CASE_STATE = {
    open: ["办理中", "In progress"],
    suspended: ["补正中（停止计时）", "Awaiting materials (clock stopped)"],
    completed: ["已办结", "Completed"],
  };

  // --- tabs ------------------------------------------------------------------------

  document.querySelectorAll("[data-tab]").forEach((tab) => tab.addEventListener("click", () => showTab(tab.dataset.tab)));

  function showTab(name) {
    document.querySelectorAll("[data-tab]").forEach((t) => t.setAttribute("aria-selected", String(t.dataset.tab === name)));
    document.querySelectorAll(".tab").forEach((t) => { t.hidden = t.id !== "tab-" + name; });
  }

  // --- materials: a list of name and copies ----------------------------------------

  function materialsEditor(fieldset) {
    const rows = el("div", "rows");
    function addRow() {
      const name = el("input");
      name.placeholder = "材料名称 Material";
      name.maxLength = 100;
      const quantity = el("input");
      quantity.type = "number"; quantity.min = "1"; quantity.max = "999"; quantity.value = "1";
      quantity.setAttribute("aria-label", "份数 Copies");
      const row = el("div", "material", name, el("span", null, "×"), quantity);
      row.append(button("删除", "Remove", () => row.remove(), "small plain"));
      rows.append(row);
    }
    fieldset.append(rows, button("添加材料", "Add a material", addRow, "small"));
    addRow();
    return {
      values() {
        return [...rows.querySelectorAll(".material")]
          .map((row) => { const [n, q] = row.querySelectorAll("input"); return { name: n.value.trim(), quantity: Number(q.value) || 1 }; })
          .filter((m) => m.name);
      },
      reset() { rows.replaceChildren(); addRow(); },
    };
  }

  const inquiryMaterials = materialsEditor($("#inquiry-form [data-materials]"));
  const caseMaterials = materialsEditor($("#case-form [data-materials]"));
  let caseInquiry = null;  // the first inquiry a case is being accepted for

  // --- first inquiries -------------------------------------------------------------

  $("#inquiry-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    const message = $("#desk-message");
    try {
      await QHall.api("POST", base + "/inquiries", {
        matter: form.elements.matter.value.trim(),
        visitor_name: form.elements.visitor_name.value.trim(),
        visitor_phone: form.elements.visitor_phone.value.trim(),
        organisation: form.elements.organisation.value.trim(),
        service: form.elements.service.value || null,
        materials: inquiryMaterials.values(),
        window: desk.windowNo,
      });
      form.reset();
      inquiryMaterials.reset();
      say(message, "首问已登记，您是该事项的首问责任人。", "Registered: you own this matter.", "ok");
      refreshWork();
    } catch (error) {
      sayError(message, error);
    }
  });

  function inquiryItem(inquiry, mine) {
    const chain = inquiry.referrals.map((r) => bi(
      "→ " + [r.to_unit, r.to_service && "业务 " + r.to_service, r.to_window && r.to_window + "号窗口", r.to_staff].filter(Boolean).join(" · ") + "  ",
      "→ " + [r.to_unit, r.to_service && "service " + r.to_service, r.to_window && "window " + r.to_window, r.to_staff].filter(Boolean).join(" · ") + "  "));
    const visitor = [inquiry.visitor_name, inquiry.visitor_phone, inquiry.organisation].filter(Boolean).join(" · ");
    const item = el("li", "item inquiry",
      el("div", "title", "#" + inquiry.id + " " + inquiry.matter),
      el("div", "meta", visitor, " ", bi("来访 " + inquiry.visits + " 次", inquiry.visits + " visit(s)"),
        " ", bi("首问：" + inquiry.owner.name, "Owner: " + inquiry.owner.name)),
      chain.length ? el("div", "chain", ...chain) : null,
      inquiry.cases.length ? el("div", "chain", ...inquiry.cases.map((c) => {
        const state = CASE_STATE[c.status] || [c.status, c.status];
        return bi(c.number + " " + state[0] + "  ", c.number + " " + state[1] + "  ");
      })) : null);
    const actions = el("div", "actions");
    const post = async (path, body, zh, en) => {
      try { await QHall.api("POST", base + path, body); say($("#desk-message"), zh, en, "ok"); refreshWork(); }
      catch (error) { sayError($("#desk-message"), error); }
    };
    if (mine) {
      actions.append(
        button("转交", "Refer", async () => {
          // Pickers by name (GET …/transfer-targets): a colleague at an open window takes the
          // matter and, if the visitor is in hand here, the visitor into their line.
          const where = await targets();
          const none = { value: "", label: "—" };
          const v = await ask("转交事项（您仍是首问责任人）", "Refer the matter (you stay its owner)", [
            { name: "to_staff", zh: "转交同事", en: "To a colleague", type: "select", options: [none, ...where.colleagues.map((c) =>
              ({ value: c.login, label: c.name + (c.window ? " · " + c.window + "号窗口" : " · 未在窗口 / not at a window") }))] },
            { name: "to_window", zh: "或转往窗口（开放中）", en: "Or to a window (open)", type: "select",
              options: [none, ...where.windows.filter((w) => w.window !== desk.windowNo).map((w) => ({ value: String(w.window), label: windowLabel(w) }))] },
            { name: "to_service", zh: "或转往业务", en: "Or to a service", type: "select",
              options: [none, ...where.services.map((s) => ({ value: s.code, label: serviceLabel(s) }))] },
            { name: "to_unit", zh: "或转往其他单位", en: "Or to another unit", type: "select",
              options: [none, ...where.units.map((u) => ({ value: u.code, label: u.name + " / " + u.name_en }))] },
            { name: "note", zh: "说明", en: "Note", type: "textarea" },
          ]);
          if (v) post("/inquiries/refer", {
            inquiry: inquiry.id, to_service: v.to_service || null, to_window: v.to_window ? Number(v.to_window) : null,
            to_unit: v.to_unit || null, to_staff: v.to_staff || null, note: v.note,
          }, "已转交。", "Referred.");
        }),
        button("受理为承诺件", "Accept as a case", () => {
          caseInquiry = inquiry.id;
          const form = $("#case-form");
          form.elements.matter.value = inquiry.matter;
          form.elements.visitor_name.value = inquiry.visitor_name;
          form.elements.visitor_phone.value = inquiry.visitor_phone;
          showTab("case");
        }),
        button("办结", "Resolve", async () => {
          const v = await ask("记录办理结果", "Record the outcome", [
            { name: "outcome", zh: "办理结果", en: "Outcome", type: "textarea", required: true }]);
          if (v) post("/inquiries/resolve", { inquiry: inquiry.id, outcome: v.outcome }, "已办结。", "Resolved.");
        }));
    }
    if (!mine && inquiry.referee) {  // referred to me now: I record the outcome or hand it back
      actions.append(
        button("记录办理结果", "Record the outcome", async () => {
          const v = await ask("记录办理结果", "Record the outcome", [
            { name: "outcome", zh: "办理结果", en: "Outcome", type: "textarea", required: true }]);
          if (v) post("/inquiries/resolve", { inquiry: inquiry.id, outcome: v.outcome }, "已办结。", "Resolved.");
        }),
        button("交回首问人", "Hand back", async () => {
          const v = await ask("交回首问责任人 " + inquiry.owner.name, "Hand back to its owner, " + inquiry.owner.name, [
            { name: "note", zh: "说明", en: "Note", type: "textarea" }]);
          if (v) post("/inquiries/hand-back", { inquiry: inquiry.id, note: v.note }, "已交回首问责任人。", "Handed back to its owner.");
        }));
    }
    actions.append(button("再次来访", "Came again", () =>
      post("/inquiries/visit", { inquiry: inquiry.id }, "已记录来访次数。", "Visit counted.")));
    item.append(actions);
    return item;
  }

  // --- cases -----------------------------------------------------------------------

  $("#case-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    const shown = $("#case-accepted");
    try {
      const result = await QHall.api("POST", base + "/cases", {
        service: form.elements.service.value,
        matter: form.elements.matter.value.trim(),
        visitor_name: form.elements.visitor_name.value.trim(),
        visitor_phone: form.elements.visitor_phone.value.trim(),
        materials: caseMaterials.values(),
        tasks: form.elements.tasks.value.split(/[,，、]/).map((t) => t.trim()).filter(Boolean),
        window: desk.windowNo,
        inquiry: caseInquiry,
      });
      const c = result.case;
      shown.hidden = false;
      shown.replaceChildren(
        el("div", "case-number", c.number),
        bi("承诺办结日期：" + c.due_day + "（" + c.time_limit_days + " 个工作日）",
           "Promised by " + c.due_day + " (" + c.time_limit_days + " working days)", "div"),
        result.print_job
          ? bi("受理回执已发送到本窗口打印机。", "The receipt has been sent to this window's printer.", "div")
          : bi("本窗口未配置打印机，请手写回执或到有打印机的窗口补打。", "This window has no printer: please write the receipt by hand.", "div"));
      form.reset();
      caseMaterials.reset();
      caseInquiry = null;
      refreshWork();
    } catch (error) {
      sayError($("#desk-message"), error);
    }
  });

  const CASE_SECTIONS = [
    ["overdue", "已超期（已上报负责人）", "Overdue (escalated to the manager)"],
    ["due_today", "今日到期", "Due today"],
    ["warning", "即将到期", "Due soon"],
    ["running", "办理中", "Running"],
    ["stopped", "补正中（时限暂停）", "Waiting for materials (clock stopped)"],
  ];

  function caseItem(c) {
    const post = async (path, body, zh, en) => {
      try {
        const result = await QHall.api("POST", base + path, Object.assign({ number: c.number }, body));
        say($("#desk-message"), zh, en, "ok");
        refreshWork();
        return result;
      } catch (error) { sayError($("#desk-message"), error); }
    };
    const left = c.working_days_left;
    const dueText = c.deadline === "stopped"
      ? bi("暂停，剩余 " + left + " 个工作日", "Stopped, " + left + " working days left")
      : bi("承诺 " + c.due_day + "（剩 " + left + " 个工作日）", "Due " + c.due_day + " (" + left + " working days)");
    const item = el("li", "item case " + c.deadline,
      el("div", "title", c.number + " · ", bi(c.service_name, c.service_name_en), " · " + c.matter),
      el("div", "meta", dueText, " ", [c.visitor_name, c.visitor_phone].filter(Boolean).join(" · "),
        " ", bi("经办：" + c.staff.name, "By " + c.staff.name),
        c.escalated_to ? el("span", "escalated", bi(" 已上报 " + c.escalated_to, " escalated to " + c.escalated_to)) : null));
    if (c.missing_materials.length && c.deadline === "stopped") {
      item.append(el("div", "chain", bi("待补正：", "Missing: "), c.missing_materials.map((m) => m.name + "×" + m.quantity).join("，")));
    }
    const tasks = el("div", "tasks");
    for (const t of c.tasks) {
      tasks.append(el("span", "task " + t.status, t.department, " ",
        t.status === "done" ? bi("已办结", "done") :
          button("完成", "Done", () => post("/cases/task-done", { task: t.id }, "已记录。", "Recorded."))));
    }
    if (c.tasks.length) item.append(tasks);
    if (c.deadline_check) {
      item.append(el("div", "escalated deadline-check", bi(c.deadline_check.message, c.deadline_check.message_en)));
    }
    // The decision closes the case and prints the 办理结果告知书 for the applicant.
    const decide = async (granted) => {
      const v = await ask(granted ? "准予办理" : "不予办理", granted ? "Grant" : "Refuse", [granted
        ? { name: "reason", zh: "办理结果（选填）", en: "Outcome (optional)", type: "textarea" }
        : { name: "reason", zh: "不予办理的理由", en: "Why it is refused", type: "textarea", required: true }]);
      if (!v) return;
      const done = await post("/cases/decide", { decision: granted ? "granted" : "refused", reason: v.reason, window: desk.windowNo },
        granted ? c.number + " 已准予办理，已办结。" : c.number + " 已不予办理，已办结。",
        granted ? c.number + " granted and completed." : c.number + " refused and completed.");
      if (done && !done.print_job) {
        say($("#desk-message"), "本窗口未配置打印机，请手写办理结果告知书交申请人。",
          "This window has no printer: please give the applicant the decision in writing by hand.", "error");
      }
    };
    if (c.awaiting_decision) {
      item.append(el("div", "decide", bi("并联事项均已办结，请作出决定：", "All tasks done — decide: "),
        button("准予", "Grant", () => decide(true), "small ok"), " ",
        button("不予", "Refuse", () => decide(false), "small")));
    }
    const actions = el("div", "actions");
    if (c.status === "open") {
      actions.append(
        button("补正告知", "Missing materials", async () => {
          const v = await ask("需补正的材料（每行一项）", "Missing materials (one a line)", [
            { name: "missing", zh: "材料", en: "Materials", type: "textarea", required: true }]);
          if (v) post("/cases/suspend", {
            window: desk.windowNo,
            missing: v.missing.split("\n").map((s) => s.trim()).filter(Boolean).map((name) => ({ name, quantity: 1 })),
          }, "已打印补正告知书，时限暂停。", "Notice printed; the clock is stopped.");
        }));
      // A case without parallel tasks is decided from here; one with tasks once they are done.
      if (!c.tasks.length) {
        actions.append(button("准予办结", "Grant", () => decide(true), "small ok"), button("不予办理", "Refuse", () => decide(false)));
      }
    }
    if (c.status === "suspended") {
      actions.append(button("材料已补齐", "Materials supplied", () =>
        post("/cases/resume", {}, "时限已恢复计算。", "The clock runs again.")));
    }
    actions.append(button("申请延期", "Ask for more time", async () => {
      const v = await ask("申请延期（须负责人批准）", "Ask for an extension (a manager approves)", [
        { name: "days", zh: "延长工作日", en: "Working days", type: "number", required: true, value: "5" },
        { name: "reason", zh: "理由", en: "Reason", type: "textarea", required: true }]);
      if (v) post("/cases/extension", { days: Number(v.days), reason: v.reason }, "已提交延期申请。", "Extension requested.");
    }));
    item.append(actions);
    return item;
  }

  function extensionItem(x) {
    const decide = async (approve) => {
      const v = await ask(approve ? "批准延期" : "不予延期", approve ? "Approve" : "Refuse",
        [{ name: "note", zh: "审批意见", en: "Note", type: "textarea" }]);
      if (!v) return;
      try {
        await QHall.api("POST", base + "/cases/extension-decision", { number: x.case, approve, note: v.note });
        refreshWork();
      } catch (error) { sayError($("#desk-message"), error); }
    };
    return el("li", "item extension",
      el("div", "title", x.case + " · ", bi("申请延期 " + x.days + " 个工作日", "Extension of " + x.days + " working days")),
      el("div", "meta", x.reason + " · " + x.requested_by),
      el("div", "actions", button("批准", "Approve", () => decide(true), "small ok"), button("不批准", "Refuse", () => decide(false))));
  }

  // --- rectification ---------------------------------------------------------------
  // The server says what this viewer may do with each item ("can"); only those buttons
  // are shown. The rated person explains and may appeal; the manager or the reviewer they
  // assign verifies, calls back and closes (qhall/rectification.py).

  const RECTIFY_STEPS = {
    rectify: ["情况说明与整改", "Explanation and changes"],
    verify: ["核实", "Verification"],
    "call-back": ["回访群众", "Call-back"],
    close: ["结案", "Closing"],
  };
  const RECTIFY_STATUS = {
    open: ["待被评价人说明整改", "Waiting for the explanation"],
    rectified: ["待核实", "Waiting for verification"],
    verified: ["待回访或结案", "Waiting for the call-back or closing"],
    called_back: ["待结案", "Waiting to be closed"],
    closed: ["已结案", "Closed"],
    appeal_accepted: ["申诉成立，已结案", "Appeal accepted, closed"],
  };

  function rectificationItem(r) {
    const send = async (path, body, zh, en) => {
      try {
        await QHall.api("POST", base + path, Object.assign({ item: r.id }, body));
        say($("#desk-message"), zh, en, "ok");
        refreshWork();
      } catch (error) { sayError($("#desk-message"), error); }
    };
    const rating = r.rating;
    const words = rating.reason_text || rating.reason || "";
    const status = RECTIFY_STATUS[r.status] || [r.status, r.status];
    const late = -r.working_days_left;
    const due = r.overdue
      ? el("span", "escalated", bi("整改期限 " + r.due_day + "，已超期" + (late > 0 ? " " + late + " 个工作日" : "") + (r.escalated_at ? "，已上报负责人" : ""),
          "Due " + r.due_day + ", overdue" + (late > 0 ? " by " + late + " working day(s)" : "") + (r.escalated_at ? ", escalated to the manager" : "")))
      : bi("整改期限 " + r.due_day + "（剩 " + r.working_days_left + " 个工作日）", "Due " + r.due_day + " (" + r.working_days_left + " working days left)");
    const who = [
      r.staff ? bi("被评价人：" + r.staff.name, "Rated: " + r.staff.name) : null,
      rating.window ? bi(" · " + rating.window + "号窗口", " · window " + rating.window) : null,
      r.reviewer ? bi(" · 复核人：" + r.reviewer.name, " · Reviewer: " + r.reviewer.name)
        : bi(" · 复核人：未指定（由负责人办理）", " · Reviewer: none assigned (the manager)"),
      bi(" · 评价于 " + r.opened_local, " · Rated " + r.opened_local),
    ];
    const phone = r.callback_phone
      ? bi("回访电话 " + r.callback_phone, "Call-back number " + r.callback_phone)
      : r.has_callback_phone ? null : bi("群众未留回访电话", "No call-back number left");

    const steps = el("ol", "steps");
    for (const s of r.steps) {
      const [zh, en] = RECTIFY_STEPS[s.step];
      const answer = s.answer ? bi("（" + s.answer_name + "）", " (" + s.answer_name_en + ")") : null;
      steps.append(s.at
        ? el("li", "done", el("strong", null, bi(zh, en)), answer, " ",
            el("span", "when", (s.by ? s.by.name + " · " : "") + s.at_local), s.note ? el("div", "note", s.note) : null)
        : el("li", "todo", el("strong", null, bi(zh, en)), " ", bi("待办", "to do")));
    }
    const appeal = r.appeal && el("div", "appeal",
      el("strong", null, bi("申诉复核", "Appeal")), " ", el("span", "when", r.appeal.at_local), " ", r.appeal.reason,
      r.appeal.decision
        ? el("div", "note", bi(r.appeal.decision === "accepted" ? "申诉成立：" : "申诉不成立：", r.appeal.decision === "accepted" ? "Accepted: " : "Rejected: "),
            r.appeal.note + " · " + (r.appeal.decided_by ? r.appeal.decided_by.name + " · " : "") + r.appeal.decided_local)
        : el("div", "note", bi("待负责人或复核人复核，复核前整改暂停。", "Waiting for the manager or the reviewer to decide; the steps wait until then.")));

    const item = el("li", "item rectification" + (r.overdue ? " overdue" : ""),
      el("div", "title", bi(rating.level_name, rating.level_name_en), " · " + rating.number + " · ",
        el("span", "status", bi(status[0], status[1]))),
      words ? el("div", "words", "“" + words + "”") : null,
      el("div", "meta", ...who),
      el("div", "meta", due, phone ? " · " : null, phone),
      steps, appeal || null);

    const actions = el("div", "actions");
    const can = new Set(r.can);
    if (can.has("rectify")) {
      actions.append(button("填写情况说明与整改措施", "Write the explanation and changes", async () => {
        const v = await ask("情况说明与整改措施", "Your explanation and what you changed", [
          { name: "note", zh: "说明当时的情况，以及您已做出的改进", en: "What happened, and what you have changed", type: "textarea", required: true }]);
        if (v) send("/rectifications/step", { step: "rectify", note: v.note }, "已提交，待负责人核实。", "Sent; the manager will verify it.");
      }, "small primary"));
    }
    if (can.has("verify")) {
      actions.append(button("核实", "Verify", async () => {
        const v = await ask("核实情况", "Verification", [
          { name: "note", zh: "核实情况（如查看录像、询问经过）", en: "What you checked and found", type: "textarea", required: true }]);
        if (v) send("/rectifications/step", { step: "verify", note: v.note }, "已核实。", "Verified.");
      }, "small primary"));
    }
    if (can.has("call-back")) {
      actions.append(button("回访群众", "Call the visitor back", async () => {
        const v = await ask("回访群众（电话 " + r.callback_phone_full + "）", "Call the visitor back (" + r.callback_phone_full + ")", [
          { name: "answer", zh: "群众意见", en: "The visitor's answer", type: "select",
            options: r.callback_answers.map((a) => ({ value: a.code, label: a.name + " / " + a.name_en })) },
          { name: "note", zh: "回访记录", en: "Notes of the call", type: "textarea", required: true }]);
        if (v) send("/rectifications/step", { step: "call-back", answer: v.answer, note: v.note }, "已记录回访。", "Call-back recorded.");
      }, "small primary"));
    }
    if (can.has("close")) {
      actions.append(button("结案", "Close", async () => {
        const v = await ask("结案", "Close the item", [
          { name: "note", zh: "结案意见（选填）", en: "Closing note (optional)", type: "textarea" }]);
        if (v) send("/rectifications/step", { step: "close", note: v.note }, "已结案。", "Closed.");
      }, "small ok"));
    }
    if (can.has("decide-appeal")) {
      const decide = (accept) => async () => {
        const v = await ask(accept ? "申诉成立（该评价不再计入）" : "申诉不成立（继续整改）",
          accept ? "Accept the appeal (the rating no longer counts)" : "Reject the appeal (the steps go on)", [
            { name: "note", zh: "复核意见", en: "Reasons for the decision", type: "textarea", required: true }]);
        if (v) send("/rectifications/appeal-decision", { accept, note: v.note }, "已作出复核决定。", "Decided.");
      };
      actions.append(button("申诉成立", "Accept the appeal", decide(true), "small"), button("申诉不成立", "Reject the appeal", decide(false), "small"));
    }
    if (can.has("appeal")) {
      actions.append(button("申诉", "Appeal", async () => {
        const v = await ask("申诉复核（由负责人或复核人决定）", "Appeal (decided by the manager or the reviewer)", [
          { name: "reason", zh: "申诉理由（如恶意差评、非本人办理）", en: "Why the rating should not count", type: "textarea", required: true }]);
        if (v) send("/rectifications/appeal", { reason: v.reason }, "申诉已提交，请等待复核。", "Appeal sent; please wait for the decision.");
      }, "small plain"));
    }
    if (can.has("assign") && r.reviewer_choices.length) {
      actions.append(button(r.reviewer ? "更换复核人" : "指定复核人", r.reviewer ? "Change the reviewer" : "Assign a reviewer", async () => {
        const v = await ask("指定复核人（负责核实、回访和结案）", "Assign the reviewer (verifies, calls back, closes)", [
          { name: "reviewer", zh: "复核人", en: "Reviewer", type: "select", value: r.reviewer ? String(r.reviewer.id) : undefined,
            options: r.reviewer_choices.map((s) => ({ value: String(s.id), label: s.name })) }]);
        if (v) send("/rectifications/assign", { reviewer: Number(v.reviewer) }, "已指定复核人。", "Reviewer assigned.");
      }, "small plain"));
    }
    if (actions.children.length) item.append(actions);
    return item;
  }

  // --- refreshing the work lists ---------------------------------------------------

  let workTimer = null;
  function refreshWork() {
    clearTimeout(workTimer);
    workTimer = setTimeout(async () => {
      try {
        const [inquiries, lists, items] = await Promise.all([
          QHall.api("GET", base + "/inquiries"),
          QHall.api("GET", base + "/cases"),
          QHall.api("GET", base + "/rectifications"),
        ]);
        $("#my-inquiries").replaceChildren(...inquiries.mine.map((i) => inquiryItem(i, true)));
        $("#referred-inquiries").replaceChildren(...inquiries.referred_to_me.map((i) => inquiryItem(i, false)));
        const box = $("#case-lists");
        box.replaceChildren();
        if (lists.pending_extensions.length) {
          box.append(el("h3", null, bi("待审批的延期", "Extensions to approve")),
            el("ul", "items", ...lists.pending_extensions.map(extensionItem)));
        }
        for (const [key, zh, en] of CASE_SECTIONS) {
          if (!lists[key].length) continue;
          box.append(el("h3", "section " + key, bi(zh + "（" + lists[key].length + "）", en + " (" + lists[key].length + ")")),
            el("ul", "items", ...lists[key].map(caseItem)));
        }
        if (!box.children.length) box.append(el("p", "hint", bi("暂无在办的承诺件。", "No running cases.")));
        const urgent = lists.overdue.length + lists.due_today.length;
        $("#cases-alert").hidden = !urgent;
        $("#cases-alert").textContent = urgent;
        $("#rectifications").replaceChildren(...items.map(rectificationItem));
        if (!items.length) $("#rectifications").append(el("li", "hint", bi("暂无待办的整改事项。", "No rectification items to handle.")));
        // The badge counts the items waiting for this viewer, red when one is overdue.
        const mine = items.filter((r) => r.overdue || r.can.some((a) => a !== "assign" && a !== "appeal"));
        $("#rectify-alert").hidden = !mine.length;
        $("#rectify-alert").textContent = mine.length;
        $("#rectify-alert").classList.toggle("late", items.some((r) => r.overdue));
      } catch (error) {
        sayError($("#desk-message"), error);
      }
    }, 150);
  }

  QCounter.refreshWork = refreshWork;
})();
