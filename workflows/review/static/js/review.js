/* The review screen (workflows/review/templates/review/screen.html).

   The draft saves itself as the adviser types: a moment after the last keystroke the whole
   form goes to the draft URL with the revision it started from; the answer gives the new
   revision. When the connection is down, what was typed is kept in this browser
   (localStorage, by seat) and sent again once the connection is back, and on the next load
   if the page was closed meanwhile. A draft saved from another window (a newer revision on
   the server) is never overwritten: the adviser is told to reload.

   Also: the catalogue of laws narrows to what matches the filter box.
   Messages come from the page (data-msg-*), in the reader's language. No inline script: CSP. */
(function () {
  "use strict";

  var PAUSE_MS = 1200;
  var RETRY_MS = 15000;

  function fields(form) {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrfmiddlewaretoken" || el.name === "submit") { return; }
      if (el.type === "checkbox") {
        if (!data[el.name]) { data[el.name] = []; }
        if (el.checked) { data[el.name].push(el.value); }
      } else {
        data[el.name] = el.value;
      }
    });
    return data;
  }

  function restore(form, data) {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || !(el.name in data) || el.name === "revision") { return; }
      if (el.type === "checkbox") {
        el.checked = data[el.name].indexOf(el.value) !== -1;
      } else {
        el.value = data[el.name];
      }
    });
  }

  function body(form, data) {
    var out = new FormData();
    out.append("csrfmiddlewaretoken", form.elements.namedItem("csrfmiddlewaretoken").value);
    Object.keys(data).forEach(function (name) {
      if (Array.isArray(data[name])) {
        data[name].forEach(function (value) { out.append(name, value); });
      } else {
        out.append(name, data[name]);
      }
    });
    return out;
  }

  function startDraft(form) {
    var url = form.getAttribute("data-draft-url");
    var key = "qiaowei-draft-" + form.getAttribute("data-seat");
    var revision = form.querySelector("[data-revision]");
    var status = form.querySelector("[data-draft-status]");
    var timer = null;
    var saving = false;
    var again = false;
    var stale = false;

    function say(text, kind) {
      status.textContent = text;
      status.className = "draft-status " + (kind || "hint");
    }

    function keep(data) {
      try {
        localStorage.setItem(key, JSON.stringify({ revision: revision.value, data: data }));
      } catch (e) { /* storage full or disabled: the server copy is all there is */ }
    }

    function forget() {
      try { localStorage.removeItem(key); } catch (e) { /* nothing kept */ }
    }

    function save() {
      timer = null;
      if (stale) { return; }
      if (saving) { again = true; return; }
      var data = fields(form);
      keep(data);
      saving = true;
      say(form.getAttribute("data-msg-saving"));
      fetch(url, {
        method: "POST",
        body: body(form, data),
        credentials: "same-origin",
        headers: { "X-Requested-With": "fetch" }
      }).then(function (response) {
        return response.json().then(function (answer) { return [response, answer]; });
      }).then(function (pair) {
        var response = pair[0], answer = pair[1];
        saving = false;
        if (response.ok) {
          revision.value = answer.revision;
          forget();
          say(answer.message, "saved");
          if (again) { again = false; schedule(); }
          return;
        }
        if (response.status === 409) { stale = true; }
        // The server busy (503) or failing (500): kept in the browser, sent again later.
        if (response.status >= 500) { setTimeout(schedule, RETRY_MS); }
        say(answer.error, "errors");
      }).catch(function () {
        saving = false;
        say(form.getAttribute("data-msg-offline"), "errors");
        setTimeout(schedule, RETRY_MS);
      });
    }

    function schedule() {
      if (timer) { clearTimeout(timer); }
      timer = setTimeout(save, PAUSE_MS);
    }

    form.addEventListener("input", schedule);
    form.addEventListener("change", schedule);
    form.addEventListener("submit", function () { forget(); });
    window.addEventListener("online", schedule);

    // Typed but not saved when the page was last closed (the connection was down): the
    // server still has the revision it started from, so nothing newer is lost by sending it.
    var kept = null;
    try { kept = JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { kept = null; }
    if (kept && kept.revision === revision.value) {
      restore(form, kept.data);
      say(form.getAttribute("data-msg-restored"), "errors");
      schedule();
    } else if (kept) {
      forget();
    }
  }

  function startLawFilter(box) {
    var fieldset = box.closest("fieldset");
    box.addEventListener("input", function () {
      var needle = box.value.trim().toLowerCase();
      Array.prototype.forEach.call(fieldset.querySelectorAll("details.law"), function (law) {
        var shown = 0;
        Array.prototype.forEach.call(law.querySelectorAll("[data-law-text]"), function (item) {
          var match = !needle || item.getAttribute("data-law-text").toLowerCase().indexOf(needle) !== -1;
          item.hidden = !match;
          if (match) { shown += 1; }
        });
        law.hidden = shown === 0;
        if (needle && shown) { law.open = true; }
      });
    });
  }

  function start() {
    var form = document.querySelector("form[data-draft-url]");
    if (form && window.fetch) { startDraft(form); }
    Array.prototype.forEach.call(document.querySelectorAll("[data-law-filter]"), startLawFilter);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
