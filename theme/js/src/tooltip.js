// Tooltips: vega-tooltip's handler, locked to what our CSP and our data need.
import {Handler, formatValue} from 'vega-tooltip';

const ESCAPES = {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'};

// vega-tooltip writes its HTML with innerHTML and its default sanitizer only
// escapes `&` and `<`, which is not enough inside attribute values. Data
// values are journalists' CSV cells: escape every HTML-significant character.
export function escapeHTML(value) {
  return String(value).replace(/[&<>"']/g, ch => ESCAPES[ch]);
}

// The `image` tooltip channel would let a data cell make the browser load a
// URL from any host; our charts never use it, so it is dropped.
function formatTooltip(value, sanitize, maxDepth, baseURL) {
  if (value && typeof value === 'object' && !Array.isArray(value) && 'image' in value) {
    const {image, ...rest} = value; // eslint-disable-line no-unused-vars
    value = rest;
  }
  return formatValue(value, sanitize, maxDepth, baseURL);
}

// disableDefaultStyle: the default style is injected as a <style> element,
// which a CSP without 'unsafe-inline' blocks; the rules live in site.css
// ("charts: interactive"). The caller cannot loosen the sanitizer.
export function createTooltip(options) {
  const handler = new Handler({
    theme: 'site',
    ...options,
    disableDefaultStyle: true,
    sanitize: escapeHTML,
    formatTooltip
  });
  const show = handler.call;
  // vega-tooltip falls back to "top-left of the pointer" when no side fits,
  // which on a phone puts most of the tooltip off-screen: keep it inside.
  handler.call = function (...args) {
    show(...args);
    const el = handler.el;
    if (!el || !el.classList.contains('visible')) return;
    const box = el.getBoundingClientRect();
    const margin = 4;
    const left = Math.max(margin, Math.min(box.left, window.innerWidth - box.width - margin));
    const top = Math.max(margin, Math.min(box.top, window.innerHeight - box.height - margin));
    if (left !== box.left) el.style.left = `${left}px`;
    if (top !== box.top) el.style.top = `${top}px`;
  };
  return handler;
}
