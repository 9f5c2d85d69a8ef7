// Learning progress, kept in this browser only (localStorage); no inline scripts (CSP).
(function () {
  "use strict";
  var KEY = "casebase-read-notes";

  function readSet() {
    try { return new Set(JSON.parse(localStorage.getItem(KEY) || "[]")); } catch (e) { return new Set(); }
  }
  function save(set) {
    try { localStorage.setItem(KEY, JSON.stringify(Array.from(set))); } catch (e) { /* private mode */ }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var read = readSet();
    var steps = document.querySelectorAll(".path .step");
    steps.forEach(function (step) {
      if (read.has(step.dataset.note)) { step.classList.add("done"); }
    });
    var counter = document.getElementById("progress-count");
    if (counter) {
      counter.textContent = String(Array.prototype.filter.call(steps, function (s) { return read.has(s.dataset.note); }).length);
    }
    document.querySelectorAll("button.mark-read").forEach(function (button) {
      var id = button.dataset.note;
      function show() { button.textContent = read.has(id) ? "Read ✓ (undo)" : "Mark as read"; button.setAttribute("aria-pressed", read.has(id) ? "true" : "false"); }
      show();
      button.addEventListener("click", function () {
        if (read.has(id)) { read.delete(id); } else { read.add(id); }
        save(read);
        show();
      });
    });
    // Escape closes a glossary tooltip that has keyboard focus.
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && document.activeElement && document.activeElement.classList.contains("term")) {
        document.activeElement.blur();
      }
    });
  });
})();
