// Size baseline only (never shipped): the same API on top of the whole of
// Vega's index, which registers every transform. build.mjs builds it to
// compare gzipped sizes with runtime.js.
import {View, parse, transforms as all} from 'vega';
export {View, parse};
export {expressionInterpreter} from 'vega-interpreter';
export {createTooltip, escapeHTML} from './tooltip.js';
export const transforms = all;
export const vegaVersion = VEGA_VERSION; // eslint-disable-line no-undef
