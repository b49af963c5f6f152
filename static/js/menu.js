/* The site menu on small screens (templates/base.html, static/css/app.css "Small screens").
 *
 * Below 700 px the header's links and session fold behind the Menu button. This script
 * marks the header ready (the CSS then hides the menu and shows the button), and the
 * button opens and closes it, saying so in aria-expanded; Escape closes it and gives the
 * focus back to the button. Without this script the button stays hidden and the menu
 * stays open, stacked. A static file with no inline code (script-src 'self').
 */
(function () {
  "use strict";

  function start() {
    var header = document.querySelector("header.top");
    var button = header && header.querySelector(".menu-toggle");
    var menu = button && document.getElementById(button.getAttribute("aria-controls"));
    if (!menu) {
      return;
    }

    function show(open) {
      header.classList.toggle("menu-open", open);
      button.setAttribute("aria-expanded", open ? "true" : "false");
    }

    button.addEventListener("click", function () {
      show(button.getAttribute("aria-expanded") !== "true");
    });
    header.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && header.classList.contains("menu-open")) {
        show(false);
        button.focus();
      }
    });
    show(false);
    header.classList.add("menu-ready");
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
