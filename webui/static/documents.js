// Uploading documents with script: drag and drop, and each file sent on its own to the
// JSON API with a progress bar and its own result. Without script the upload form is a
// plain multipart form (templates/documents/_upload.html). No inline script (CSP);
// everything shown is set as text, never as HTML.
(function () {
  "use strict";

  function errorMessage(xhr) {
    var body = null;
    try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
    if (body && body.error && body.error.message) { return body.error.message; }
    if (body && body.results && body.results[0] && body.results[0].error) { return body.results[0].error.message; }
    if (xhr.status === 413) { return "the upload is over the size limit"; }
    return "the server answered " + xhr.status + (xhr.statusText ? " " + xhr.statusText : "");
  }

  function rowFor(list, file) {
    var row = document.createElement("li");
    var name = document.createElement("span");
    name.className = "doc-file";
    name.textContent = file.name;
    var bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", "Upload of " + file.name);
    var outcome = document.createElement("p");
    outcome.className = "doc-outcome";
    outcome.textContent = "Waiting…";
    row.appendChild(name);
    row.appendChild(bar);
    row.appendChild(outcome);
    list.appendChild(row);
    return { bar: bar, outcome: outcome };
  }

  function showStored(row, result) {
    row.outcome.textContent = result.duplicate ? "Already there: " : "Stored: ";
    row.outcome.className = "doc-outcome stored";
    var link = document.createElement("a");
    link.href = result.document.url;
    link.textContent = result.document.title;
    row.outcome.appendChild(link);
  }

  function showFailed(row, file, message) {
    row.outcome.className = "doc-outcome failed";
    row.outcome.setAttribute("role", "alert");
    row.outcome.textContent = "Not stored: " + (message.indexOf(file.name) === -1 ? file.name + ": " : "") + message;
  }

  // One file: the form's other fields with it, the session's CSRF token in the header.
  function send(form, file, row, done) {
    var data = new FormData();
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name || field.type === "file" || field.type === "submit" || field.disabled) { return; }
      data.append(field.name, field.value);
    });
    data.append("file", file, file.name);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.dataset.apiUrl);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.setRequestHeader("X-CSRF-Token", form.elements.csrf_token.value);
    row.outcome.textContent = "Uploading…";
    xhr.upload.addEventListener("progress", function (event) {
      if (event.lengthComputable) { row.bar.value = Math.round(100 * event.loaded / event.total); }
    });
    xhr.addEventListener("load", function () {
      row.bar.value = 100;
      var body = null;
      try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
      var result = body && body.results && body.results[0];
      if (xhr.status < 400 && result && result.document) { showStored(row, result); done(true); }
      else { showFailed(row, file, errorMessage(xhr)); done(false); }
    });
    xhr.addEventListener("error", function () { showFailed(row, file, "the connection failed; try again"); done(false); });
    xhr.send(data);
  }

  // The files one after another (the server reads each in a child process).
  function uploadAll(form, files) {
    var list = form.querySelector(".doc-progress");
    var rows = files.map(function (file) { return rowFor(list, file); });
    var stored = 0;
    function next(index) {
      if (index >= files.length) {
        if (stored) {
          var again = document.createElement("li");
          var link = document.createElement("a");
          link.href = window.location.pathname + window.location.search;
          link.textContent = "Show the list with the new documents";
          again.appendChild(link);
          list.appendChild(again);
        }
        return;
      }
      send(form, files[index], rows[index], function (ok) { if (ok) { stored += 1; } next(index + 1); });
    }
    next(0);
  }

  function enhance(form) {
    if (!window.FormData || !window.XMLHttpRequest || !form.dataset.apiUrl) { return; }
    var input = form.querySelector("input[type=file]");
    var zone = form.querySelector(".doc-drop");
    var hint = form.querySelector(".doc-drop-hint");
    if (hint) { hint.hidden = false; }
    form.addEventListener("submit", function (event) {
      if (!input.files.length) { return; } // the browser says the field is required
      event.preventDefault();
      uploadAll(form, Array.prototype.slice.call(input.files));
      input.value = "";
    });
    if (!zone) { return; }
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) { event.preventDefault(); zone.classList.add("dragging"); });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function () { zone.classList.remove("dragging"); });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      var files = event.dataTransfer && event.dataTransfer.files;
      if (files && files.length) { uploadAll(form, Array.prototype.slice.call(files)); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form.doc-upload").forEach(enhance);
  });
}());
