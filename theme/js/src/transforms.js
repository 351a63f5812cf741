// The Vega transforms our charts can use, registered by name in Vega's
// dataflow. vega's own index registers every transform of every package
// (geo, force, hierarchy, label, regression, wordcloud, crossfilter, density,
// kde, ...), which is what keeps `vega.min.js` big.
//
// Each transform module ends in a top-level `inherits(...)` call, which a
// bundler must keep, so importing names from a package's prebuilt file keeps
// every transform in it. Importing the packages' own source modules (shipped
// in the npm tarballs; build.mjs lets these deep imports past the `exports`
// maps) keeps only the ones listed here.
//
// If a chart needs a transform that is missing, the view fails with
// "Unrecognized transform type", the loader keeps the static picture, and
// tests/site/test_charts_browser.py fails on it: add the import, then
// `invoke bundle-js`.
import {transforms} from 'vega-dataflow';

// Data transforms Vega-Lite 6.4 compiles our charts into.
import aggregate from 'vega-transforms/src/Aggregate.js';
import bin from 'vega-transforms/src/Bin.js';
import collect from 'vega-transforms/src/Collect.js';
import extent from 'vega-transforms/src/Extent.js';
import filter from 'vega-transforms/src/Filter.js';
import flatten from 'vega-transforms/src/Flatten.js';
import fold from 'vega-transforms/src/Fold.js';
import formula from 'vega-transforms/src/Formula.js';
import impute from 'vega-transforms/src/Impute.js';
import joinaggregate from 'vega-transforms/src/JoinAggregate.js';
import lookup from 'vega-transforms/src/Lookup.js';
import pivot from 'vega-transforms/src/Pivot.js';
import project from 'vega-transforms/src/Project.js';
import sequence from 'vega-transforms/src/Sequence.js';
import timeunit from 'vega-transforms/src/TimeUnit.js';
import window from 'vega-transforms/src/Window.js';
import stack from 'vega-encode/src/Stack.js';
import identifier from 'vega-view-transforms/src/Identifier.js';
import voronoi from 'vega-voronoi/src/Voronoi.js';

// Operators vega-parser itself instantiates for data sources, scales, facets,
// marks, axes, legends and selections (vega-parser/src/transforms.js and
// DataScope.js).
import compare from 'vega-transforms/src/Compare.js';
import expression from 'vega-transforms/src/Expression.js';
import facet from 'vega-transforms/src/Facet.js';
import field from 'vega-transforms/src/Field.js';
import key from 'vega-transforms/src/Key.js';
import load from 'vega-transforms/src/Load.js';
import multiextent from 'vega-transforms/src/MultiExtent.js';
import multivalues from 'vega-transforms/src/MultiValues.js';
import params from 'vega-transforms/src/Params.js';
import prefacet from 'vega-transforms/src/PreFacet.js';
import proxy from 'vega-transforms/src/Proxy.js';
import relay from 'vega-transforms/src/Relay.js';
import sieve from 'vega-transforms/src/Sieve.js';
import subflow from 'vega-transforms/src/Subflow.js';
import tupleindex from 'vega-transforms/src/TupleIndex.js';
import values from 'vega-transforms/src/Values.js';
import bound from 'vega-view-transforms/src/Bound.js';
import mark from 'vega-view-transforms/src/Mark.js';
import overlap from 'vega-view-transforms/src/Overlap.js';
import render from 'vega-view-transforms/src/Render.js';
import viewlayout from 'vega-view-transforms/src/ViewLayout.js';
import axisticks from 'vega-encode/src/AxisTicks.js';
import datajoin from 'vega-encode/src/DataJoin.js';
import encode from 'vega-encode/src/Encode.js';
import legendentries from 'vega-encode/src/LegendEntries.js';
import scale from 'vega-encode/src/Scale.js';
import sortitems from 'vega-encode/src/SortItems.js';

export const registered = {
  aggregate, bin, collect, extent, filter, flatten, fold, formula, impute,
  joinaggregate, lookup, pivot, project, sequence, timeunit, window, stack,
  identifier, voronoi,
  compare, expression, facet, field, key, load, multiextent, multivalues,
  params, prefacet, proxy, relay, sieve, subflow, tupleindex, values,
  bound, mark, overlap, render, viewlayout,
  axisticks, datajoin, encode, legendentries, scale, sortitems
};

Object.assign(transforms, registered);
