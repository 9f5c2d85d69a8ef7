// Instant search and focus management on the search page; the learning path's
// "continue where you left off"; the glossary filter; the advisor's focus move.
// Served as a static file (the CSP forbids inline scripts); every page works without it.
(function () {
  "use strict";
  var LAST_NOTE = "casebase-last-note";
  var DELAY_MS = 250;

  function store(key, value) {
    try { localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* private mode: no memory */ }
  }
  function recall(key) {
    try { return JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }

  // Results update as the user types: the page for the form's current state is fetched,
  // its results region swapped in, and the address bar kept as the permalink.
  function instantSearch(form) {
    var region = document.querySelector("[data-results]");
    var input = form.querySelector("input[name=q]");
    if (!region || !input || !window.fetch || !window.DOMParser) { return; }
    var timer = null, latest = 0;
    function refresh() {
      var query = new URLSearchParams(new FormData(form)).toString();
      var url = form.action + (query ? "?" + query : "");
      var ticket = ++latest;
      fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          if (html === null || ticket !== latest) { return; }  // a later keystroke wins
          var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("[data-results]");
          if (!fresh) { return; }
          region.innerHTML = fresh.innerHTML;
          var total = document.getElementById("results-total"), announce = document.getElementById("announce");
          if (total && announce) { announce.textContent = total.textContent.replace("permalink", "").trim(); }
          history.replaceState(null, "", url);
          document.title = new DOMParser().parseFromString(html, "text/html").title;
        })
        .catch(function () { /* offline: the form still submits */ });
    }
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(refresh, DELAY_MS); });
    form.querySelector("select[name=mode]").addEventListener("change", refresh);
  }

  // After a search or a facet click the page loads anew: focus goes to the results,
  // whose count a screen reader then reads, instead of the top of the page.
  function focusResults() {
    var results = document.getElementById("results");
    if (results && window.location.search) { results.focus({ preventScroll: true }); }
  }

  function rememberNote() {
    var page = document.querySelector("[data-note-page]");
    if (page) { store(LAST_NOTE, { id: page.dataset.notePage, title: page.dataset.noteTitle, url: location.pathname }); }
  }

  function offerContinue() {
    var box = document.getElementById("continue");
    var last = recall(LAST_NOTE);
    if (!box || !last || !last.url) { return; }
    var link = document.getElementById("continue-link");
    link.href = last.url;
    link.textContent = "Continue where you left off: " + last.title;
    box.hidden = false;
  }

  function glossaryFilter() {
    var input = document.querySelector("[data-filter-target]");
    if (!input) { return; }
    var list = document.getElementById(input.dataset.filterTarget);
    var count = document.getElementById("glossary-count");
    input.addEventListener("input", function () {
      var words = input.value.trim().toLowerCase();
      var shown = 0;
      list.querySelectorAll(".entry").forEach(function (entry) {
        var match = !words || entry.textContent.toLowerCase().indexOf(words) !== -1;
        entry.hidden = !match;
        if (match) { shown += 1; }
      });
      list.querySelectorAll("section.letter").forEach(function (section) {
        section.hidden = !section.querySelector(".entry:not([hidden])");
      });
      count.textContent = words ? shown + " term" + (shown === 1 ? "" : "s") + " match" : "";
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form.instant");
    if (form) { instantSearch(form); focusResults(); }
    var advice = document.querySelector("[data-focus-on-load]");
    if (advice) { advice.focus(); }
    rememberNote();
    offerContinue();
    glossaryFilter();
  });
})();
