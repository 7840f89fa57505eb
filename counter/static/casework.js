/* The window client's work lists (after counter-base.js, before counter.js): tabs, first
   inquiries, promised cases with their deadlines and extensions, and rectification of
   poor ratings. Every action is one API call through QHall.api; the lists are redrawn
   from the server, and counter.js redraws them when the hall's events say they changed. */
(function () {
  "use strict";

  const { $, bi, desk, el, say, sayError, button, ask } = QCounter;
  const base = desk.base;

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
    const chain = inquiry.referrals.map((r) =>
      "→ " + [r.to_unit, r.to_service && "业务 " + r.to_service, r.to_window && r.to_window + "号窗口", r.to_staff].filter(Boolean).join(" · "));
    const visitor = [inquiry.visitor_name, inquiry.visitor_phone, inquiry.organisation].filter(Boolean).join(" · ");
    const item = el("li", "item inquiry",
      el("div", "title", "#" + inquiry.id + " " + inquiry.matter),
      el("div", "meta", visitor, " ", bi("来访 " + inquiry.visits + " 次", inquiry.visits + " visit(s)"),
        " ", bi("首问：" + inquiry.owner.name, "Owner: " + inquiry.owner.name)),
      chain.length ? el("div", "chain", chain.join("  ")) : null,
      inquiry.cases.length ? el("div", "chain", inquiry.cases.map((c) => c.number + " " + c.status).join("  ")) : null);
    const actions = el("div", "actions");
    const post = async (path, body, zh, en) => {
      try { await QHall.api("POST", base + path, body); say($("#desk-message"), zh, en, "ok"); refreshWork(); }
      catch (error) { sayError($("#desk-message"), error); }
    };
    if (mine) {
      actions.append(
        button("转交", "Refer", async () => {
          const v = await ask("转交事项（您仍是首问责任人）", "Refer the matter (you stay its owner)", [
            { name: "to_service", zh: "业务代码", en: "Service letter" },
            { name: "to_window", zh: "窗口号", en: "Window", type: "number" },
            { name: "to_unit", zh: "单位代码", en: "Unit code" },
            { name: "to_staff", zh: "工作人员登录名", en: "Staff login" },
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
        }),
        button("办结", "Complete", async () => {
          const v = await ask("办结", "Complete the case", [
            { name: "result", zh: "办理结果", en: "Result", type: "textarea", required: true }]);
          if (v) post("/cases/complete", { result: v.result }, "已办结。", "Completed.");
        }));
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

  const RECTIFY_NEXT = {
    open: ["verify", "核实", "Verify"],
    verified: ["rectify", "整改", "Rectify"],
    rectified: ["call-back", "回访", "Call back"],
  };

  function rectificationItem(r) {
    const act = async (path, body, zh, en, fieldName) => {
      const v = await ask(zh, en, [{ name: fieldName, zh: "情况说明", en: "What was found or done", type: "textarea", required: true }]);
      if (!v) return;
      try {
        await QHall.api("POST", base + path, Object.assign({ item: r.id, [fieldName]: v[fieldName] }, body));
        refreshWork();
      } catch (error) { sayError($("#desk-message"), error); }
    };
    const steps = r.steps.filter((s) => s.at).map((s) => s.note).join(" → ");
    const item = el("li", "item rectification" + (r.overdue ? " overdue" : ""),
      el("div", "title", bi(r.rating.level_name, r.rating.level_name_en), " · " + r.rating.number + " · " + (r.rating.staff || "")),
      el("div", "meta", "“" + r.rating.reason + "” ", bi("整改期限 " + r.due_day, "Due " + r.due_day),
        r.overdue ? el("span", "escalated", bi(" 已超期", " overdue")) : null),
      steps ? el("div", "chain", steps) : null);
    const next = RECTIFY_NEXT[r.status];
    const actions = el("div", "actions");
    if (next) {
      actions.append(button(next[1], next[2], () => act("/rectifications/step", { step: next[0] }, next[1], next[2], "note"), "small primary"));
    }
    if (desk.me && (desk.me.role === "manager" || desk.me.role === "admin")) {
      actions.append(button("申诉成立", "Accept appeal", () =>
        act("/rectifications/appeal", {}, "申诉成立（恶意差评）", "Accept the appeal (malicious rating)", "reason")));
    }
    item.append(actions);
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
        if (!items.length) $("#rectifications").append(el("li", "hint", bi("暂无待整改事项。", "Nothing to rectify.")));
        $("#rectify-alert").hidden = !items.length;
        $("#rectify-alert").textContent = items.length;
      } catch (error) {
        sayError($("#desk-message"), error);
      }
    }, 150);
  }

  QCounter.refreshWork = refreshWork;
})();
