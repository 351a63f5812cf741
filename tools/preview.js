// Preview only (invoke livereload): a small "rebuilding…" sign while the site is rebuilt,
// a reload when it is done, and, when the build fails, its messages over the page (the
// editor is looking here, not at the terminal), introduced in the page's language.
// Never part of the built site.
(function () {
  "use strict";
  var WORDS = {
    fr: {
      building: "Reconstruction…",
      failed: "L'aperçu n'est plus à jour : la dernière construction a échoué.\n" +
        "Corrigez ce qui est indiqué ci-dessous et enregistrez ; la page se recharge toute seule.\n\n"
    },
    en: {
      building: "Rebuilding…",
      failed: "The preview is out of date: the last build failed.\n" +
        "Fix what is listed below and save; the page reloads by itself.\n\n"
    }
  };
  var lang = (document.documentElement.lang || "en").slice(0, 2).toLowerCase();
  var words = WORDS[lang] || WORDS.en;
  var box = null;
  var sign = null;

  function showSign() {
    if (!sign) {
      sign = document.createElement("div");
      sign.id = "live-rebuilding";
      sign.setAttribute("role", "status");
      var s = sign.style;
      s.position = "fixed"; s.top = "0.5em"; s.right = "0.5em"; s.zIndex = "99999";
      s.padding = "0.3em 0.7em"; s.borderRadius = "1em"; s.background = "#1d3557";
      s.color = "#fff"; s.font = "13px/1.4 system-ui, sans-serif"; s.opacity = "0.9";
      document.body.appendChild(sign);
    }
    sign.textContent = words.building;
    sign.hidden = false;
  }

  function hideSign() {
    if (sign) { sign.hidden = true; }
  }

  function show(message) {
    hideSign();
    if (!box) {
      box = document.createElement("div");
      box.setAttribute("role", "alert");
      box.id = "live-build-failed";
      var s = box.style;
      s.position = "fixed"; s.left = "0"; s.right = "0"; s.bottom = "0"; s.zIndex = "99999";
      s.maxHeight = "60vh"; s.overflow = "auto"; s.margin = "0"; s.padding = "1em";
      s.background = "#fff4f4"; s.color = "#5a0000"; s.borderTop = "4px solid #b00020";
      s.font = "14px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace";
      s.whiteSpace = "pre-wrap";
      document.body.appendChild(box);
    }
    box.textContent = words.failed + message;
  }

  // The page says which page it is, so a saved CSV updates the page the editor looks at first.
  var events = new EventSource("/__live/events?page=" + encodeURIComponent(location.pathname));
  events.onmessage = function (event) {
    var data = JSON.parse(event.data);
    if (data.type === "building") {
      showSign();
    } else if (data.type === "reload") {
      window.location.reload();
    } else if (data.type === "failed") {
      show(data.message);
    }
  };
})();
