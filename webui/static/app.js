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
    // On a phone the search filters start folded so that the results come first.
    var panel = document.querySelector("details.facet-panel");
    if (panel && window.matchMedia) {
      var narrow = window.matchMedia("(max-width: 52rem)");
      if (narrow.matches) { panel.open = false; }
      narrow.addEventListener("change", function () { if (!narrow.matches) { panel.open = true; } });
    }
    // Escape closes a glossary tooltip that has keyboard focus.
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && document.activeElement && document.activeElement.classList.contains("term")) {
        document.activeElement.blur();
      }
    });
  });
})();

// Live preview of the Markdown body in the edit form (rendered and sanitised by the server).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var body = document.querySelector("textarea[data-preview]");
    if (!body) { return; }
    var target = document.getElementById(body.dataset.preview);
    // The server names the preview route (only the web layer builds URLs).
    var token = body.form.querySelector("input[name=csrf_token]").value;
    var timer = null;
    function refresh() {
      var data = new URLSearchParams();
      data.set("body", body.value);
      data.set("csrf_token", token);
      fetch(body.dataset.previewUrl, { method: "POST", body: data, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (json) { if (json) { target.innerHTML = json.html; } });
    }
    body.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(refresh, 400); });
    refresh();
  });
})();
