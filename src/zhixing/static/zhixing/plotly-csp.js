// Load before plotly.min.js. plotly.js adds inline <style> elements, which the
// Content-Security-Policy refuses (zhixing/security.py), unless an element with their id
// is already there:
//  - "plotly.js-style-global" with class "no-inline-styles": the pages link Plotly's base
//    rules as a file with that id (reports/plotly-base.css);
//  - the maplibre-gl stylesheet plotly.js 3 injects when it registers its map traces,
//    which zhixing never draws: a placeholder with that id stops the injection.
// tests/ui checks that the dashboard and report pages raise no CSP violation.
(function () {
  "use strict";
  var MAPLIBRE_CSS_ID = "9f215cf04c5486422605d13261cb87401f4e7763b6296af81e98efbc0130da53";
  if (!document.getElementById(MAPLIBRE_CSS_ID)) {
    var placeholder = document.createElement("meta");
    placeholder.id = MAPLIBRE_CSS_ID;
    document.head.appendChild(placeholder);
  }
})();
