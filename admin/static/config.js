/* The configuration editor: a form drawn from the kind's field list; a save is one API call
   (the server checks it and writes the audit log), then the list is reloaded. */
(function () {
  "use strict";
  const box = document.getElementById("config");
  if (!box) return;
  const bi = QHall.bi;
  const spec = JSON.parse(box.dataset.editor);
  const editor = document.getElementById("editor");
  const form = document.getElementById("editor-form");
  const message = document.getElementById("editor-message");
  let current = null;

  function input(field, value) {
    let node;
    if (field.type === "longtext" || field.type === "json") {
      node = document.createElement("textarea");
      node.rows = field.type === "json" ? 12 : 3;
      // A notice reads better laid out; the server stores it compact (qhall.notices).
      if (field.type === "json" && value) { try { value = JSON.stringify(JSON.parse(value), null, 2); } catch (e) { /* shown as stored */ } }
    } else if (field.type === "choice" || field.type === "badges") {
      node = document.createElement("select");
      if (field.type === "badges") node.multiple = true;
      // The code is saved; the words (in the page's language) are what people choose from.
      const english = document.documentElement.lang === "en";
      for (const option of field.options) {
        const o = document.createElement("option");
        o.value = option.value;
        o.textContent = english ? option.en : option.zh;
        o.title = option.value;
        o.selected = Array.isArray(value) ? value.includes(option.value) : value === option.value;
        node.append(o);
      }
      node.name = field.name;
      return node;
    } else {
      node = document.createElement("input");
      node.type = { int: "number", "int?": "number", bool: "checkbox", date: "date", "date?": "date", password: "password" }[field.type] || "text";
    }
    node.name = field.name;
    if (field.type === "bool") node.checked = value === undefined ? true : !!value;
    else if (value !== null && value !== undefined) node.value = value;
    return node;
  }

  function open(record) {
    current = record;
    document.getElementById("editor-title").replaceChildren(record ? bi("修改", "Edit") : bi("新增", "Add"));
    form.replaceChildren();
    for (const field of spec.fields) {
      const label = document.createElement("label");
      label.append(bi(field.label, field.label_en), input(field, record ? record[field.name] : undefined));
      if (field.type === "bool") label.className = "inline";
      form.append(label);
    }
    const save = document.createElement("button");
    save.type = "submit"; save.className = "primary"; save.append(bi("保存", "Save"));
    form.append(save);
    message.replaceChildren();
    editor.hidden = false;
    form.querySelector("input, textarea, select").focus();
  }

  function values() {
    const out = {};
    for (const field of spec.fields) {
      const node = form.elements[field.name];
      if (field.type === "bool") out[field.name] = node.checked;
      else if (field.type === "badges") out[field.name] = [...node.selectedOptions].map((o) => o.value);
      else if (field.type === "int") out[field.name] = node.value === "" ? undefined : Number(node.value);
      else if (field.type === "int?") out[field.name] = node.value === "" ? null : Number(node.value);
      else if (field.type === "password") { if (node.value) out[field.name] = node.value; }
      else if (field.type === "date?") out[field.name] = node.value || null;
      else out[field.name] = node.value;
      if (out[field.name] === undefined) delete out[field.name];
    }
    return out;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { unit: box.dataset.unit || null, id: current ? current.id : null, fields: values() };
    const saved = await QAdmin.submit(form, message, () => QHall.api("POST", "/api/admin/config/" + spec.kind, body));
    if (!saved) return;
    QAdmin.say(message, "已保存，已记入操作日志。", "Saved, and recorded in the audit log.", "ok");
    setTimeout(() => window.location.reload(), 500);
  });
  document.getElementById("new-record").addEventListener("click", () => open(null));
  document.querySelectorAll("#records tr[data-record]").forEach((row) =>
    row.querySelector(".edit").addEventListener("click", () => open(JSON.parse(row.dataset.record))));
})();
