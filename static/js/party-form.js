/* Party blocks (cases.forms.PartyForm, on the registration screen and the case page's
   "add a party"): the officer says what the party is (a person already registered, a new
   person, an association, a body already registered, a new body) and only that kind's
   fields show. Each group of fields names the kinds it serves: data-kinds="body new_body".
   A hidden group's fields are disabled, so what they held is not sent.

   Without this script the choice of kind stays hidden and disabled (nothing is sent for
   it), every field shows, and the server takes the party from what was filled in. With
   the choice, the server counts only the chosen kind's fields; it checks everything
   again. No inline script: CSP. */
(function () {
  "use strict";

  function each(list, action) { Array.prototype.forEach.call(list, action); }

  function radios(chooser) { return chooser.querySelectorAll("input[type=radio]"); }

  // The kind whose naming field holds something (a form sent back from the server without
  // a kind), else the first kind.
  function guessed(block, chooser) {
    var found = "";
    each(radios(chooser), function (radio) {
      if (found) { return; }
      each(block.querySelectorAll("[data-key-of='" + radio.value + "']"), function (key) {
        if (key.value) { found = radio.value; }
      });
    });
    return found || radios(chooser)[0].value;
  }

  function chosen(chooser) {
    var value = "";
    each(radios(chooser), function (radio) { if (radio.checked) { value = radio.value; } });
    return value;
  }

  function update(block, chooser) {
    var kind = chosen(chooser);
    each(block.querySelectorAll("[data-kinds]"), function (group) {
      var shown = group.getAttribute("data-kinds").split(" ").indexOf(kind) !== -1;
      group.hidden = !shown;
      each(group.querySelectorAll("input, select, textarea"), function (control) {
        control.disabled = !shown;
      });
    });
  }

  function start() {
    each(document.querySelectorAll("fieldset[data-party-kind]"), function (chooser) {
      // The block: the nearest element that holds this chooser's groups.
      var block = chooser.closest("fieldset.party, form");
      if (!block) { return; }
      each(radios(chooser), function (radio) { radio.disabled = false; });
      if (!chosen(chooser)) {
        var kind = guessed(block, chooser);
        each(radios(chooser), function (radio) { radio.checked = radio.value === kind; });
      }
      chooser.hidden = false;
      chooser.addEventListener("change", function () { update(block, chooser); });
      update(block, chooser);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
