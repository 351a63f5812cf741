/* charts.js: upgrade static charts to interactive Vega views, progressively.
 *
 * Markup contract (emitted by plugins/charts; URLs relative to the page, no
 * leading "/", so the site works under a sub-path):
 *
 *   <figure class="chart" id="chart-ID" data-chart-id="ID" data-lang="fr"
 *           data-vega-spec="charts/ID/ID.fr.vg.json"
 *           data-vega-spec-dark="charts/ID/ID.fr.dark.vg.json"                (optional)
 *           data-vega-spec-narrow="charts/ID/ID.fr.narrow.vg.json"            (optional)
 *           data-vega-spec-narrow-dark="charts/ID/ID.fr.narrow.dark.vg.json"> (optional)
 *     <figcaption class="chart-head"><h3 class="chart-title">…</h3>
 *       <p class="chart-subtitle">…</p></figcaption>
 *     <div class="chart-frame">
 *       <picture data-variant="wide"><source srcset="….dark.svg" media="(prefers-color-scheme: dark)">
 *         <img src="….light.svg" width="W" height="H" alt="…" loading="lazy" decoding="async"></picture>
 *       <picture data-variant="narrow" hidden>… the phone picture …</picture>  (optional)
 *     </div>
 *     … description, source line, notes, downloads, <details> data table …
 *   </figure>
 *
 * The runtime URL comes from, in order: the figure's data-vega-runtime, a
 * <meta name="vega-runtime" content="…">, or ../vendor/vega-runtime.min.js
 * next to this script. The Vega JSON is the compiled Vega (not Vega-Lite) spec
 * with data inlined as JSON values (CSV text would need eval under our CSP).
 *
 * Keyboard: the view is focusable (role="img", named by the chart title,
 * described by the image's alt text); arrow keys, Home and End step through
 * the marks that have a tooltip and an aria-live region reads each one out.
 *
 * What happens: nothing is fetched until a figure comes within ~300px of the
 * viewport. Then the runtime is loaded once, the Vega JSON of the picture the
 * stylesheet shows (wide or phone, chosen by the figure's width) is fetched,
 * and the view rendered (SVG) over the static picture, in exactly the box the
 * picture occupies; only when it has rendered is the picture made invisible
 * (it keeps its box, so nothing moves). On any failure the static picture
 * stays, the figure gets data-vega-state="failed" and at most one console
 * warning is logged per page. The figure's data-vega-state goes
 * loading -> interactive | failed (tests and CSS read it).
 *
 * The Vega JSON of a picture is the spec that drew it, at the same size, so
 * the view draws the same legend, axes and footer; its SVG is scaled into the
 * image's box exactly as the <img> is. When the figure is resized (a phone
 * turned) so that the other picture shows, the view is rebuilt from that
 * picture's spec.
 */
(function () {
  'use strict';

  if (window.__chartsLoader || !('IntersectionObserver' in window) || !window.fetch ||
      !document.querySelector) {
    return; // already running, or an old browser: the static charts stay
  }
  window.__chartsLoader = true;

  var SELECTOR = 'figure.chart[data-vega-spec]';
  var RUNTIME_FALLBACK = '../vendor/vega-runtime.min.js';
  var script = document.currentScript;
  var darkQuery = window.matchMedia ? window.matchMedia('(prefers-color-scheme: dark)') : null;

  // d3-format / d3-time-format definitions (as in d3's fr-FR and en-US, with
  // the site's conventions: narrow no-break space for French thousands,
  // no-break space before units, and euros in both languages:
  // fr "1 234,5 €", "10 oct. 2022"; en "€1,234.5", "Oct 10, 2022").
  // A spec's own config.locale (number and/or time) wins over these.
  var LOCALES = {
    fr: {
      number: {decimal: ',', thousands: '\u202f', grouping: [3], currency: ['', '\u00a0€'],
        percent: '\u202f%'},
      time: {dateTime: '%A %e %B %Y à %X', date: '%d/%m/%Y', time: '%H:%M:%S',
        periods: ['AM', 'PM'],
        days: ['dimanche', 'lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi', 'samedi'],
        shortDays: ['dim.', 'lun.', 'mar.', 'mer.', 'jeu.', 'ven.', 'sam.'],
        months: ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août',
          'septembre', 'octobre', 'novembre', 'décembre'],
        shortMonths: ['janv.', 'févr.', 'mars', 'avr.', 'mai', 'juin', 'juil.', 'août',
          'sept.', 'oct.', 'nov.', 'déc.']}
    },
    en: {
      number: {decimal: '.', thousands: ',', grouping: [3], currency: ['€', '']},
      time: {dateTime: '%x, %X', date: '%-m/%-d/%Y', time: '%-I:%M:%S %p',
        periods: ['AM', 'PM'],
        days: ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'],
        shortDays: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'],
        months: ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August',
          'September', 'October', 'November', 'December'],
        shortMonths: ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct',
          'Nov', 'Dec']}
    }
  };

  // Ours fill in only what the spec's own config.locale leaves out.
  function localeFor(spec, lang) {
    var own = (spec.config && spec.config.locale) || {};
    var ours = LOCALES[lang] || LOCALES.en;
    var fill = {}; // no undefined keys: Vega copies them over the spec's
    if (!own.number) fill.number = ours.number;
    if (!own.time) fill.time = ours.time;
    return fill;
  }

  var warned = false;
  function warnOnce(figure, reason) {
    if (warned) return;
    warned = true;
    // A warning, not an error: the reader still has the static chart.
    console.warn('charts.js: kept the static chart for #' + (figure.id || '?') +
      ' (' + reason + ')');
  }

  function resolve(url) {
    return new URL(url, document.baseURI).href;
  }

  function runtimeUrl(figure) {
    var own = figure.getAttribute('data-vega-runtime');
    if (own) return resolve(own);
    var meta = document.querySelector('meta[name="vega-runtime"]');
    if (meta && meta.content) return resolve(meta.content);
    return new URL(RUNTIME_FALLBACK, script && script.src ? script.src : document.baseURI).href;
  }

  var runtimes = {};
  function loadRuntime(url) {
    if (!runtimes[url]) {
      runtimes[url] = new Promise(function (ok, fail) {
        if (window.vegaRuntime) return ok(window.vegaRuntime);
        var tag = document.createElement('script');
        tag.src = url;
        tag.async = true;
        tag.onload = function () {
          if (window.vegaRuntime) ok(window.vegaRuntime);
          else fail(new Error('runtime did not load: ' + url));
        };
        tag.onerror = function () { fail(new Error('runtime not found: ' + url)); };
        document.head.appendChild(tag);
      });
    }
    return runtimes[url];
  }

  function fetchSpec(url) {
    return fetch(url, {credentials: 'same-origin'}).then(function (response) {
      if (!response.ok) throw new Error('HTTP ' + response.status + ' for ' + url);
      return response.json();
    });
  }

  // Collects Vega's own errors instead of printing them: a broken chart must
  // leave the static picture and a single warning, not console errors.
  function quietLogger(errors) {
    var level = 1;
    return {
      level: function (l) { if (arguments.length) { level = l; return this; } return level; },
      error: function () { errors.push([].slice.call(arguments).join(' ')); return this; },
      warn: function () { return this; },
      info: function () { return this; },
      debug: function () { return this; }
    };
  }

  var tooltip = null;
  function tooltipHandler(runtime) {
    if (!tooltip) {
      tooltip = runtime.createTooltip({offsetX: 12, offsetY: 12});
      document.addEventListener('keydown', function (event) {
        // WCAG 1.4.13: content shown on hover can be dismissed without moving.
        var el = document.getElementById('vg-tooltip-element');
        if (event.key === 'Escape' && el) el.classList.remove('visible');
      });
    }
    return tooltip.call;
  }

  // Keyboard: arrow keys step through the marks that have a tooltip, showing
  // it (and the hover highlight) as the pointer would, and an aria-live region
  // reads it out; Escape or leaving the chart hides it.
  function marksWithTooltips(canvas) {
    var seen = {};
    return Array.prototype.filter.call(canvas.querySelectorAll('.role-mark > *'), function (el) {
      var item = el.__data__;
      if (!item || item.tooltip == null) return false;
      var key = JSON.stringify(item.tooltip);
      if (seen[key]) return false;
      seen[key] = true;
      return true;
    }).map(function (el) {
      var r = el.getBoundingClientRect();
      return {el: el, x: r.left + r.width / 2, y: r.top + r.height / 2};
    }).sort(function (a, b) { return a.x - b.x || a.y - b.y; });
  }

  function pointer(el, types, x, y) {
    types.forEach(function (type) {
      var Ctor = type.indexOf('pointer') === 0 && window.PointerEvent ? PointerEvent : MouseEvent;
      el.dispatchEvent(new Ctor(type, {bubbles: true, clientX: x, clientY: y}));
    });
  }

  function describe(value) {
    if (value && typeof value === 'object') {
      return Object.keys(value).map(function (k) { return k + ': ' + value[k]; }).join(', ');
    }
    return String(value);
  }

  function enableKeyboard(holder, canvas, live) {
    var index = -1;
    var current = null;
    function leave() {
      if (current) pointer(current.el, ['pointerout', 'mouseout'], current.x, current.y);
      current = null;
    }
    holder.addEventListener('keydown', function (event) {
      var marks = marksWithTooltips(canvas);
      var keys = {ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1};
      if (event.key === 'Escape') { leave(); index = -1; return; }
      if (!marks.length) return;
      if (event.key in keys) index = index < 0 && keys[event.key] < 0 ? marks.length - 1
        : Math.min(Math.max(index + keys[event.key], 0), marks.length - 1);
      else if (event.key === 'Home') index = 0;
      else if (event.key === 'End') index = marks.length - 1;
      else return;
      event.preventDefault();
      leave();
      current = marks[index];
      pointer(current.el, ['pointerover', 'pointermove'], current.x, current.y);
      live.textContent = describe(current.el.__data__.tooltip);
    });
    holder.addEventListener('blur', function () {
      leave();
      var el = document.getElementById('vg-tooltip-element');
      if (el) el.classList.remove('visible');
    });
  }

  function titleOf(figure, img) {
    var title = figure.querySelector('.chart-title') || figure.querySelector('figcaption');
    var text = title ? title.textContent.replace(/\s+/g, ' ').trim() : '';
    return text || (img && img.alt) || '';
  }

  // Keeps the view exactly over the static image's box (the picture stays in
  // the layout, invisible, so the figure never changes size).
  function place(holder, img, frame) {
    var f = frame.getBoundingClientRect();
    var r = img.getBoundingClientRect();
    holder.style.left = (r.left - f.left - frame.clientLeft) + 'px';
    holder.style.top = (r.top - f.top - frame.clientTop) + 'px';
    holder.style.width = r.width + 'px';
    holder.style.height = r.height + 'px';
  }

  // The picture the stylesheet shows (the phone one in a narrow figure).
  function shownPicture(frame) {
    var pictures = frame ? frame.querySelectorAll('picture') : [];
    for (var i = 0; i < pictures.length; i++) {
      if (pictures[i].getClientRects().length) return pictures[i];
    }
    return pictures[0] || null;
  }

  function variantOf(picture) {
    return (picture && picture.getAttribute('data-variant')) || 'wide';
  }

  // The spec that drew the picture: data-vega-spec[-narrow][-dark], falling
  // back to the wide one and to light when a figure has no such attribute.
  function specAttribute(figure, variant) {
    var base = variant === 'narrow' && figure.getAttribute('data-vega-spec-narrow')
      ? 'data-vega-spec-narrow' : 'data-vega-spec';
    var dark = darkQuery && darkQuery.matches && figure.getAttribute(base + '-dark');
    return dark ? base + '-dark' : base;
  }

  function upgrade(figure) {
    var frame = figure.querySelector('.chart-frame');
    var picture = shownPicture(frame);
    var img = picture && picture.querySelector('img');
    if (!img) {
      figure.setAttribute('data-vega-state', 'failed');
      warnOnce(figure, 'no .chart-frame > picture > img');
      return Promise.resolve();
    }
    var variant = variantOf(picture);
    var specUrl = resolve(figure.getAttribute(specAttribute(figure, variant)));
    var lang = (figure.getAttribute('data-lang') || document.documentElement.lang || 'en').slice(0, 2);
    var old = figure.__chartView;
    var holder, view, live;
    figure.setAttribute('data-vega-state', 'loading');

    return Promise.all([loadRuntime(runtimeUrl(figure)), fetchSpec(specUrl)])
      .then(function (loaded) {
        var runtime = loaded[0];
        var spec = loaded[1];
        var errors = [];
        holder = document.createElement('div');
        holder.className = 'chart-view';
        holder.setAttribute('data-variant', variant);
        holder.setAttribute('role', 'img');
        holder.setAttribute('tabindex', '0');
        holder.setAttribute('aria-label', titleOf(figure, img));
        if (!img.id) img.id = (figure.id || 'chart') + '-static';
        holder.setAttribute('aria-describedby', img.id); // the alt text, kept
        var canvas = document.createElement('div');
        canvas.className = 'chart-view-canvas';
        holder.appendChild(canvas);
        holder.setAttribute('aria-keyshortcuts', 'ArrowLeft ArrowRight Home End Escape');
        live = document.createElement('div');
        live.className = 'chart-live';
        live.setAttribute('aria-live', 'polite');
        frame.classList.add('has-view');
        place(holder, img, frame);
        frame.appendChild(holder);
        frame.appendChild(live);

        view = new runtime.View(runtime.parse(spec, null, {ast: true}), {
          expr: runtime.expressionInterpreter, // CSP: no eval / new Function
          renderer: 'svg',
          container: canvas,
          hover: true,
          tooltip: tooltipHandler(runtime),
          logger: quietLogger(errors),
          locale: localeFor(spec, lang)
        });
        return view.runAsync().then(function () {
          if (errors.length) throw new Error(errors[0]);
          if (!canvas.querySelector('svg')) throw new Error('nothing rendered');
        });
      })
      .then(function () {
        if (old) dispose(old);
        figure.__chartView = {view: view, holder: holder, live: live, frame: frame, variant: variant};
        enableKeyboard(holder, holder.firstChild, live);
        holder.classList.add('is-ready');
        frame.classList.add('is-interactive');
        figure.setAttribute('data-vega-state', 'interactive');
        track(figure, holder, img, frame);
      })
      .catch(function (error) {
        if (view) { try { view.finalize(); } catch (e) { /* already failed */ } }
        [holder, live].forEach(function (el) { if (el && el.parentNode) el.parentNode.removeChild(el); });
        if (old) {
          figure.setAttribute('data-vega-state', 'interactive');
        } else {
          frame.classList.remove('has-view', 'is-interactive');
          figure.setAttribute('data-vega-state', 'failed');
        }
        warnOnce(figure, error && error.message ? error.message : String(error));
      });
  }

  function dispose(state) {
    try { state.view.finalize(); } catch (e) { /* nothing left to release */ }
    [state.holder, state.live].forEach(function (el) { if (el.parentNode) el.parentNode.removeChild(el); });
  }

  // A resized figure: the view follows the image's box, and is rebuilt from the
  // other picture's spec when the stylesheet now shows the other picture.
  var tracked = [];
  function follow() {
    tracked.forEach(function (t) {
      var figure = t[0], state = figure.__chartView;
      var picture = shownPicture(t[3]);
      if (state && state.holder === t[1] && variantOf(picture) !== state.variant &&
          figure.getAttribute('data-vega-state') === 'interactive') {
        upgrade(figure);
        return;
      }
      place(t[1], (picture && picture.querySelector('img')) || t[2], t[3]);
    });
  }
  var resizeObserver = window.ResizeObserver ? new ResizeObserver(follow) : null;
  function track(figure, holder, img, frame) {
    tracked = tracked.filter(function (t) { return t[3] !== frame; });
    tracked.push([figure, holder, img, frame]);
    if (resizeObserver) resizeObserver.observe(frame);
  }
  if (!resizeObserver) window.addEventListener('resize', follow);

  function start() {
    var figures = document.querySelectorAll(SELECTOR);
    if (!figures.length) return;
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (!entry.isIntersecting) return;
        observer.unobserve(entry.target);
        upgrade(entry.target);
      });
    }, {rootMargin: '300px 0px'});
    Array.prototype.forEach.call(figures, function (figure) { observer.observe(figure); });

    // Follow the reader's light/dark switch for figures that have both specs.
    if (darkQuery && darkQuery.addEventListener) {
      darkQuery.addEventListener('change', function () {
        Array.prototype.forEach.call(figures, function (figure) {
          if (figure.__chartView && figure.getAttribute('data-vega-spec-dark')) upgrade(figure);
        });
      });
    }
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
