// Preview only (invoke livereload): reload when the site is rebuilt; when the build
// fails, show its messages over the page, since the editor is looking here, not at
// the terminal. Never part of the built site.
(function () {
  "use strict";
  var box = null;

  function show(message) {
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
    box.textContent = "The preview is out of date: the last build failed.\n" +
      "Fix what is listed below and save; the page reloads by itself.\n\n" + message;
  }

  var events = new EventSource("/__live/events");
  events.onmessage = function (event) {
    var data = JSON.parse(event.data);
    if (data.type === "reload") {
      window.location.reload();
    } else if (data.type === "failed") {
      show(data.message);
    }
  };
})();
