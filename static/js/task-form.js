/* Task forms: a field that applies to one choice only shows while that choice is made.
   Its wrapper says which: data-show-when="decision" data-show-value="refer". A hidden field
   is disabled too, so what it held is not sent. The server checks the same rules (the
   form's clean), and without this script every field shows. No inline script: CSP. */
(function () {
  "use strict";

  function chosen(form, name) {
    var control = form.elements.namedItem(name);
    return control ? control.value : "";
  }

  function update(form) {
    var rows = form.querySelectorAll("[data-show-when]");
    Array.prototype.forEach.call(rows, function (row) {
      var shown = chosen(form, row.getAttribute("data-show-when")) ===
        row.getAttribute("data-show-value");
      row.hidden = !shown;
      Array.prototype.forEach.call(
        row.querySelectorAll("input, select, textarea"),
        function (control) { control.disabled = !shown; }
      );
    });
  }

  function start() {
    var forms = document.querySelectorAll("form.task-form");
    Array.prototype.forEach.call(forms, function (form) {
      if (!form.querySelector("[data-show-when]")) { return; }
      form.addEventListener("change", function () { update(form); });
      update(form);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
