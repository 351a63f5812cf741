// Sharing links (theme/templates/partials/share.html): every link works without this file.
// With it, "Link to this story" copies the address, and Mastodon asks for the reader's server.
(function () {
  "use strict";
  var status = document.querySelector(".share-status");

  function say(text) {
    if (status) status.textContent = text;
  }

  var copy = document.querySelector(".share-copy");
  if (copy && navigator.clipboard && window.isSecureContext) {
    copy.textContent = copy.dataset.copyLabel;
    copy.addEventListener("click", function (event) {
      event.preventDefault();
      navigator.clipboard.writeText(copy.href).then(function () {
        say(copy.dataset.copiedLabel);
      }, function () {
        window.location.href = copy.href;
      });
    });
  }

  var mastodon = document.querySelector(".share-mastodon");
  if (mastodon) {
    mastodon.addEventListener("click", function (event) {
      var saved = "";
      try { saved = localStorage.getItem("mastodon-server") || ""; } catch (e) { /* private mode */ }
      var server = window.prompt(mastodon.dataset.prompt, saved || "mastodon.social");
      if (server === null) { event.preventDefault(); return; }
      server = server.trim().replace(/^https?:\/\//, "").replace(/\/.*$/, "");
      if (!/^[a-z0-9.-]+\.[a-z]{2,}$/i.test(server)) return; // keep the default link
      try { localStorage.setItem("mastodon-server", server); } catch (e) { /* private mode */ }
      event.preventDefault();
      window.open("https://" + server + "/share?text=" + encodeURIComponent(mastodon.dataset.shareText),
                  "_blank", "noopener,noreferrer");
    });
  }
})();
