/* Viewer of PDFs as page images: open a file's pages in a pane instead of a new page.
 *
 * A link marked data-viewer (its href the file's full viewer page) names with
 * data-viewer-target the id of the element that shows the viewer. A click fetches the
 * viewer alone (href + "?fragment=1", header X-Requested-With: fetch) and puts it in that
 * element; the link of the file shown gets aria-current="page" and the file's title takes
 * the focus. A click with a modifier key (new tab, new window), a link whose target is not
 * on the page, and any failure (an error, the session ended and the answer is the login
 * page) fall back to following the link: without JavaScript every link opens the full
 * viewer page.
 *
 * Zoom: each page's 放大查看 button submits a GET form to the page's larger image (what
 * happens without JavaScript). Here it shows the larger image in place instead, scrolling
 * sideways in its frame (which can then take the focus, so that the keyboard scrolls it), and
 * the button, now 缩小, brings the page back to its width. The labels come from the
 * button's data-zoom-in and data-zoom-out, in the reader's language.
 *
 * A static file with no inline code: allowed by the Content-Security-Policy (script-src
 * 'self'); the fetch goes to the same origin (default-src 'self'). The fragment's images
 * are served by the site (img-src 'self').
 */
(function () {
  "use strict";

  function fragmentUrl(href) {
    var url = new URL(href, window.location.href);
    url.searchParams.set("fragment", "1");
    return url.href;
  }

  function parse(html) {
    var template = document.createElement("template");
    template.innerHTML = html; // inert: scripts in it do not run
    return template.content.querySelector("[data-viewer-fragment]");
  }

  function markCurrent(link, target) {
    var links = document.querySelectorAll("a[data-viewer]");
    for (var i = 0; i < links.length; i++) {
      if (links[i].getAttribute("data-viewer-target") === target.id) {
        links[i].removeAttribute("aria-current");
      }
    }
    link.setAttribute("aria-current", "page");
  }

  function open(link, target) {
    var href = link.href;
    target.setAttribute("aria-busy", "true");
    fetch(fragmentUrl(href), {
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
    })
      .then(function (response) {
        if (!response.ok) throw new Error("status " + response.status);
        return response.text();
      })
      .then(function (html) {
        var fragment = parse(html);
        if (!fragment) throw new Error("not a viewer"); // e.g. the login page
        target.replaceChildren(fragment);
        target.removeAttribute("aria-busy");
        markCurrent(link, target);
        var title = fragment.querySelector("h2, h3");
        if (title) {
          if (!title.hasAttribute("tabindex")) title.setAttribute("tabindex", "-1");
          title.focus();
        }
      })
      .catch(function () {
        target.removeAttribute("aria-busy");
        window.location.href = href;
      });
  }

  document.addEventListener("click", function (event) {
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    var link = event.target.closest ? event.target.closest("a[data-viewer]") : null;
    if (!link) return;
    var target = document.getElementById(link.getAttribute("data-viewer-target") || "");
    if (!target) return; // no pane on this page: follow the link
    event.preventDefault();
    open(link, target);
  });

  function zoom(form) {
    var page = form.closest(".viewer-page");
    var img = page ? page.querySelector(".viewer-image img") : null;
    var button = form.querySelector("button");
    var wide = parseInt(form.elements.w ? form.elements.w.value : "", 10);
    if (!img || !button || !wide) return false;
    var frame = img.parentElement;
    if (!img.hasAttribute("data-fit-src")) {
      img.setAttribute("data-fit-src", img.getAttribute("src"));
      img.setAttribute("data-fit-width", img.getAttribute("width"));
      img.setAttribute("data-fit-height", img.getAttribute("height"));
    }
    var zoomed = !page.classList.contains("zoomed");
    if (zoomed) {
      var url = new URL(form.action, window.location.href);
      url.searchParams.set("w", String(wide));
      var ratio = wide / parseInt(img.getAttribute("data-fit-width"), 10);
      img.setAttribute("src", url.href);
      img.setAttribute("width", String(wide));
      img.setAttribute("height", String(Math.round(parseInt(img.getAttribute("data-fit-height"), 10) * ratio)));
      frame.setAttribute("tabindex", "0");
    } else {
      img.setAttribute("src", img.getAttribute("data-fit-src"));
      img.setAttribute("width", img.getAttribute("data-fit-width"));
      img.setAttribute("height", img.getAttribute("data-fit-height"));
      frame.removeAttribute("tabindex");
    }
    page.classList.toggle("zoomed", zoomed);
    var label = button.getAttribute(zoomed ? "data-zoom-out" : "data-zoom-in");
    if (label) button.textContent = label;
    return true;
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || !form.matches || !form.matches("form[data-viewer-zoom]")) return;
    if (zoom(form)) event.preventDefault();
  });
})();
