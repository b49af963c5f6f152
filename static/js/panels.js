/* Case page: refresh a panel in place while it waits for work done elsewhere.
 *
 * A panel that can refresh itself carries data-refresh-url (the URL of the panel alone)
 * and data-pending="true" while something is under way (a document being rendered).
 * Every few seconds this fetches the panel again and replaces the contents of its
 * [data-refresh-part] elements (or, if it has none, the whole panel's inner HTML); the
 * forms of the panel lie outside those parts, so nothing the user typed or chose is lost.
 * It stops when the fresh panel says nothing is pending, and for good when the panel is
 * gone (404) or the session has ended (sent to the login page). Without JavaScript the
 * panel's Refresh link reloads the page.
 *
 * A static file with no inline code: allowed by the Content-Security-Policy (script-src
 * 'self'); the fetch goes to the same origin (default-src 'self').
 */
(function () {
  "use strict";

  var PERIOD = 4000; // ms between two looks while something is pending
  var MAX_PERIOD = 60000; // the longest wait after errors (server down, network lost)

  function parse(html) {
    var template = document.createElement("template");
    template.innerHTML = html; // inert: scripts in it do not run
    return template.content.querySelector("[data-refresh-url]");
  }

  function swap(panel, fresh) {
    var parts = panel.querySelectorAll("[data-refresh-part]");
    if (!parts.length) {
      panel.innerHTML = fresh.innerHTML;
      return;
    }
    Array.prototype.forEach.call(parts, function (part) {
      var name = part.getAttribute("data-refresh-part");
      var next = Array.prototype.find.call(
        fresh.querySelectorAll("[data-refresh-part]"),
        function (candidate) { return candidate.getAttribute("data-refresh-part") === name; }
      );
      if (next) {
        part.innerHTML = next.innerHTML;
      }
    });
  }

  function watch(panel) {
    var url = panel.getAttribute("data-refresh-url");
    var delay = PERIOD;

    function later() {
      window.setTimeout(look, delay);
    }

    function look() {
      if (panel.getAttribute("data-pending") !== "true") {
        return;
      }
      if (document.hidden) { // a tab in the background waits until it is looked at
        later();
        return;
      }
      window.fetch(url, {
        credentials: "same-origin",
        cache: "no-store",
        headers: { "X-Requested-With": "XMLHttpRequest" }
      }).then(function (response) {
        if (response.redirected || response.status === 404 || response.status === 403) {
          return null; // logged out, or no longer allowed to read the case: stop
        }
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.text();
      }).then(function (html) {
        if (html === null) {
          return;
        }
        var fresh = parse(html);
        if (!fresh) {
          return; // not the panel: stop
        }
        swap(panel, fresh);
        panel.setAttribute("data-pending", fresh.getAttribute("data-pending") || "false");
        delay = PERIOD;
        later();
      }).catch(function () {
        delay = Math.min(delay * 2, MAX_PERIOD);
        later();
      });
    }

    later();
  }

  function start() {
    Array.prototype.forEach.call(
      document.querySelectorAll("[data-refresh-url][data-pending]"),
      watch
    );
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
