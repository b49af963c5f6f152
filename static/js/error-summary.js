/* The error summary (templates/includes/error_summary.html, the GOV.UK pattern).

   When a page comes back with errors, the summary at its top takes the focus, so the
   person sees it and a screen reader reads it (it is also role="alert"). Each of its links
   goes to a field: the field takes the focus, a closed <details> around it opens, and the
   field's label or legend scrolls into view with it. Without this script the links still
   jump to their fields. No inline script: CSP (script-src 'self').
*/
(function () {
  "use strict";

  var FOCUSABLE = "input:not([type=hidden]), select, textarea, button, a[href], summary";

  function labelOf(field) {
    if (field.id) {
      var label = document.querySelector("label[for='" + field.id + "']");
      if (label) { return label; }
    }
    var fieldset = field.closest("fieldset");
    var legend = fieldset && fieldset.querySelector("legend");
    return legend || field.closest("label") || field;
  }

  function open(field) {
    for (var node = field.parentElement; node; node = node.parentElement) {
      if (node.tagName === "DETAILS" && !node.open) { node.open = true; }
    }
  }

  function goTo(link) {
    var id = decodeURIComponent(link.getAttribute("href").slice(1));
    var field = document.getElementById(id);
    if (!field) { return false; }
    if (!field.matches(FOCUSABLE)) {
      field = field.querySelector(FOCUSABLE) || field;
    }
    open(field);
    labelOf(field).scrollIntoView({ block: "start" });
    field.focus({ preventScroll: true });
    return true;
  }

  function start() {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) { return; }
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (link && goTo(link)) { event.preventDefault(); }
    });
    summary.focus();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
