// Entry point of theme/static/vendor/vega-runtime.min.js (global `vegaRuntime`).
// Vega's runtime only: the site ships Vega JSON compiled at build time, so
// vega-lite never reaches the browser. Expressions are evaluated by
// vega-interpreter over a parsed AST, so no `unsafe-eval` is needed.
import './transforms.js';
export {View} from 'vega-view';
export {parse} from 'vega-parser';
export {expressionInterpreter} from 'vega-interpreter';
export {createTooltip, escapeHTML} from './tooltip.js';
export {registered as transforms} from './transforms.js';
export const vegaVersion = VEGA_VERSION; // eslint-disable-line no-undef
