// The edit form, improved where script runs (every part works without it; no inline script: CSP).
// - the id is suggested from the title while the editor has not written one;
// - lessons and sources are added, moved and removed in place (without script the buttons post
//   the form, which comes back changed);
// - each checkbox group says how many values are chosen;
// - the error summary takes focus, and its links focus the field they name.
(function () {
  "use strict";

  function slug(text) {
    var plain = (text || "").normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
    return (plain.match(/[a-z0-9]+/g) || []).join("-").slice(0, 64).replace(/-+$/, "");
  }

  function suggestId(form) {
    var id = form.querySelector("input[data-suggest-from]");
    if (!id) { return; }
    var title = document.getElementById(id.dataset.suggestFrom);
    var suggested = slug(title.value);
    // Follow the title until the editor writes an id of their own.
    var following = !id.value || id.value === suggested;
    id.addEventListener("input", function () { following = !id.value; });
    title.addEventListener("input", function () { if (following) { id.value = slug(title.value); } });
  }

  var ROW = /(lesson|source)-(\d+|__N__)-/;

  // Give every row of a list the names, ids and labels of its position.
  function renumber(list) {
    var what = list.dataset.rows;
    var rows = list.querySelectorAll(":scope > [data-row='" + what + "']");
    rows.forEach(function (row, index) {
      var prefix = what + "-" + index + "-";
      row.querySelectorAll("[name], [id], [for], [aria-describedby]").forEach(function (node) {
        ["name", "id", "for", "aria-describedby"].forEach(function (attribute) {
          var value = node.getAttribute(attribute);
          if (value && ROW.test(value)) { node.setAttribute(attribute, value.replace(new RegExp(ROW.source, "g"), function (m, kind) { return kind === what ? prefix : m; })); }
        });
      });
      row.querySelectorAll("button[name=form_action]").forEach(function (button) {
        var verb = button.value.split("-")[0];
        button.value = verb + "-" + what + "-" + index;
        var name = button.querySelector(".row-name");
        if (name) { name.textContent = " " + what + " " + (index + 1); }
        if (verb === "up") { button.disabled = index === 0; }
        if (verb === "down") { button.disabled = index === rows.length - 1; }
      });
      var number = row.querySelector(".row-number");
      if (number) { number.textContent = String(index + 1); }
    });
    var empty = list.querySelector(".empty-rows");
    if (empty) { empty.hidden = rows.length > 0; }
    return rows;
  }

  function firstField(row) { return row.querySelector("input:not([type=hidden]), textarea"); }

  function reshape(button) {
    var parts = button.value.split("-");
    var verb = parts[0], what = parts[1];
    var list = button.form.querySelector("[data-rows='" + what + "']");
    if (!list) { return false; }
    var rows = list.querySelectorAll(":scope > [data-row='" + what + "']");
    if (verb === "add") {
      var template = document.getElementById(what + "-template");
      var row = template.content.firstElementChild.cloneNode(true);
      list.insertBefore(row, button);
      renumber(list);
      firstField(row).focus();
      return true;
    }
    var current = rows[Number(parts[2])];
    if (!current) { return false; }
    if (verb === "remove") {
      var next = current.nextElementSibling;
      current.remove();
      rows = renumber(list);
      var target = next && next.dataset.row === what ? next : rows[rows.length - 1];
      (target ? firstField(target) : list.querySelector(".add-row")).focus();
      return true;
    }
    var other = verb === "up" ? current.previousElementSibling : current.nextElementSibling;
    if (!other || other.dataset.row !== what) { return true; }
    if (verb === "up") { list.insertBefore(current, other); } else { list.insertBefore(other, current); }
    renumber(list);
    var same = current.querySelector("button[value^='" + verb + "-']");
    (same && !same.disabled ? same : firstField(current)).focus();
    return true;
  }

  function countChoices(form) {
    form.querySelectorAll("fieldset[data-choices]").forEach(function (group) {
      var counter = group.querySelector(":scope > legend .chosen-count");
      if (!counter || group.dataset.counted) { return; }
      group.dataset.counted = "yes";
      var show = function () {
        var chosen = group.querySelectorAll(":scope input[type=checkbox]:checked").length;
        counter.textContent = chosen ? "(" + chosen + " chosen)" : "";
      };
      group.addEventListener("change", show);
      show();
    });
  }

  function focusSummary() {
    var summary = document.getElementById("error-summary");
    if (!summary) { return; }
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) { return; }
      var target = document.getElementById(link.getAttribute("href").slice(1));
      if (!target) { return; }
      event.preventDefault();
      var details = target.closest("details");
      if (details) { details.open = true; }
      var field = target.matches("input, select, textarea") ? target : target.querySelector("input, select, textarea");
      target.scrollIntoView({ block: "center" });
      (field || target).focus();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("edit-form");
    if (!form) { return; }
    suggestId(form);
    countChoices(form);
    form.addEventListener("click", function (event) {
      var button = event.target.closest("button[name=form_action]");
      if (button && reshape(button)) { event.preventDefault(); countChoices(form); }
    });
    focusSummary();
  });
})();
