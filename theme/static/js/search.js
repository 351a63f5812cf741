// Starts Pagefind's search UI on the search page; the bundle path comes from the page
// so the site works under any sub-path.
(function () {
  "use strict";
  function start() {
    var box = document.getElementById("search");
    if (!box || typeof window.PagefindUI !== "function") return;
    var ui = new window.PagefindUI({
      element: "#search",
      // Pagefind wants a path from the domain root; the page gives one relative to itself.
      bundlePath: new URL(box.getAttribute("data-bundle"), document.baseURI).pathname,
      showSubResults: true,
      showImages: false,
      resetStyles: false
    });
    var input = box.querySelector("input");
    if (input) {
      // Pagefind's input has only a placeholder; give it a real accessible name.
      input.setAttribute("aria-label", box.getAttribute("data-label"));
      input.focus();
    }
    // search/?q=… (the 404 page's form, or a link) starts with that search.
    var query = new URLSearchParams(window.location.search).get("q");
    if (query && typeof ui.triggerSearch === "function") ui.triggerSearch(query);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
