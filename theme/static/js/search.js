// Starts Pagefind's search UI on the search page; the bundle path comes from the page
// so the site works under any sub-path. A large site's index is in parts (plugins/search):
// the bundle's pagefind-entry.json lists the other parts' folders, merged into the first.
(function () {
  "use strict";
  var PART = /^part-[0-9]+\/$/;
  var TAG = /^[\w.-]+$/;

  function listed(part) {
    return part && typeof part.bundle === "string" && PART.test(part.bundle) &&
      typeof part.tag === "string" && TAG.test(part.tag) && Array.isArray(part.hashes) &&
      part.hashes.every(function (hash) { return typeof hash === "string" && TAG.test(hash); });
  }

  function parts(bundle) {
    // The entry as the server has it now, never an earlier copy the browser kept (the parts
    // change with the site; Pagefind asks for its entry afresh too). Without it (or
    // unreadable), one index: the first part.
    if (typeof window.fetch !== "function") return Promise.resolve([]);
    return window.fetch(bundle + "pagefind-entry.json", { credentials: "same-origin", cache: "no-cache" })
      .then(function (response) { return response.ok ? response.json() : {}; })
      .then(function (entry) {
        var found = entry && Array.isArray(entry.parts) ? entry.parts.filter(listed) : [];
        // Pagefind reads the parts one after the other; ask for their files all at once
        // (the same addresses it asks for, which the browser then has).
        found.forEach(function (part) {
          var urls = [bundle + part.bundle + "pagefind-entry.json?ts=" + encodeURIComponent(part.tag)];
          part.hashes.forEach(function (hash) { urls.push(bundle + part.bundle + "pagefind." + hash + ".pf_meta"); });
          urls.forEach(function (url) {
            window.fetch(url, { credentials: "same-origin" }).catch(function () { return null; });
          });
        });
        return found;
      })
      .catch(function () { return []; });
  }

  // The entry is asked for as soon as this script runs, which the page places before
  // Pagefind's UI script: the request and that script's load overlap.
  var box = document.getElementById("search");
  // Pagefind wants a path from the domain root; the page gives one relative to itself.
  var bundle = box ? new URL(box.getAttribute("data-bundle"), document.baseURI).pathname : null;
  var listing = bundle ? parts(bundle) : null;

  function start() {
    if (!listing || typeof window.PagefindUI !== "function") return;
    listing.then(function (found) {
      var ui = new window.PagefindUI({
        element: "#search",
        bundlePath: bundle,
        mergeIndex: found.map(function (part) {
          return { bundlePath: bundle + part.bundle, metaCacheTag: part.tag };
        }),
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
    });
  }
  // Pagefind's UI script runs after this one (both deferred, in page order), before
  // DOMContentLoaded.
  if (typeof window.PagefindUI === "function") start();
  else document.addEventListener("DOMContentLoaded", start);
})();
