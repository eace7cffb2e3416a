"""Inline stylesheet and scripts of the HTML report (no external fonts, images or CDNs)."""

from __future__ import annotations

from vocmine.report._plots import FONT_FAMILY

__all__ = ["CSS", "STATUS_JS", "RENDER_JS"]

CSS = """
:root { --ink:#1f2933; --muted:#616e7c; --line:#e4e7eb; --bg:#f5f7fa; --card:#fff;
        --neg:#d1495b; --pos:#2e9e6b; --neu:#9aa5b1; --hot:#f28e2b; --accent:#3b6fb6; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin:0; background:var(--bg); color:var(--ink); font-family:FONT; font-size:14px; line-height:1.5; }
header.top { background:#1f2a44; color:#fff; padding:22px 32px 18px; }
header.top h1 { margin:0; font-size:22px; font-weight:650; letter-spacing:.2px; }
header.top p { margin:4px 0 0; color:#c5cee0; font-size:13px; }
nav { position:sticky; top:0; z-index:10; background:#fff; border-bottom:1px solid var(--line);
      padding:0 32px; display:flex; gap:4px; flex-wrap:wrap; }
nav a { color:var(--muted); text-decoration:none; padding:10px 10px; font-size:13px;
        border-bottom:2px solid transparent; }
nav a:hover { color:var(--accent); border-bottom-color:var(--accent); }
main { max-width:1240px; margin:0 auto; padding:20px 32px 48px; }
section { background:var(--card); border:1px solid var(--line); border-radius:10px; padding:18px 22px;
          margin:0 0 18px; }
section h2 { margin:0 0 4px; font-size:17px; font-weight:650; }
section h3 { margin:14px 0 6px; font-size:14px; font-weight:650; }
section p.lead { margin:0 0 12px; color:var(--muted); font-size:13px; }
.grid2 { display:grid; grid-template-columns:1fr 1fr; gap:18px; }
.grid2 > section { margin:0 0 18px; min-width:0; }
@media (max-width: 980px) { .grid2 { grid-template-columns:1fr; } }
.cards { display:grid; grid-template-columns:repeat(auto-fit, minmax(128px, 1fr)); gap:12px; margin:0 0 18px; }
.card { background:var(--card); border:1px solid var(--line); border-radius:10px; padding:12px 14px; }
.card .v { font-size:22px; font-weight:650; font-variant-numeric:tabular-nums; }
.card .k { color:var(--muted); font-size:12px; text-transform:uppercase; letter-spacing:.4px; }
.card .s { color:var(--muted); font-size:12px; }
.highlights { margin:0 0 18px; padding:12px 18px; background:#fffdf6; border:1px solid #f3e1b5; border-radius:10px; }
.highlights ul { margin:6px 0 0; padding-left:20px; }
.highlights li { margin:2px 0; }
.chart { width:100%; min-height:200px; }
.empty { color:var(--muted); background:var(--bg); border:1px dashed #cbd2d9; border-radius:8px;
         padding:18px; text-align:center; margin:6px 0; }
table { border-collapse:collapse; width:100%; font-size:13px; }
th, td { text-align:left; padding:6px 8px; border-bottom:1px solid var(--line); vertical-align:top; }
th { color:var(--muted); font-weight:600; font-size:12px; text-transform:uppercase; letter-spacing:.3px;
     background:#fafbfc; }
td.num, th.num { text-align:right; font-variant-numeric:tabular-nums; white-space:nowrap; }
tr:hover td { background:#fafbfc; }
.scroll { overflow-x:auto; }
.badge { display:inline-block; padding:1px 7px; border-radius:10px; font-size:11px; font-weight:600;
         background:#eef1f5; color:var(--muted); margin-left:4px; white-space:nowrap; }
.badge.neg { background:#fbe9eb; color:#a32b3c; }
.badge.pos { background:#e4f4ec; color:#1e6e4a; }
.badge.hot { background:#fdebd9; color:#9a4d00; }
.driver { border-top:1px solid var(--line); padding:12px 0 6px; }
.driver:first-of-type { border-top:0; }
.driver h3 { margin:0 0 6px; font-size:14px; font-weight:650; }
.driver h3 .meta { color:var(--muted); font-weight:400; font-size:12px; margin-left:6px; }
blockquote { margin:6px 0; padding:8px 12px; background:#fafbfc; border-left:3px solid var(--neu);
             border-radius:0 6px 6px 0; white-space:pre-wrap; overflow-wrap:anywhere; }
blockquote.neg { border-left-color:var(--neg); }
blockquote.pos { border-left-color:var(--pos); }
blockquote .src { display:block; color:var(--muted); font-size:11px; margin-top:4px; white-space:normal; }
mark { background:#ffe08a; color:inherit; padding:0 2px; border-radius:3px; }
mark.all { background:transparent; padding:0; }
.kv td:first-child { color:var(--muted); width:38%; }
details summary { cursor:pointer; color:var(--accent); margin:8px 0; }
footer { color:var(--muted); font-size:12px; text-align:center; padding:8px 0 24px; }
@media (max-width: 640px) { main { padding:12px; } section { padding:12px; }
  header.top, nav { padding-left:12px; padding-right:12px; } }
.chart { overflow-x:auto; overflow-y:hidden; }
@media print { nav { display:none; } body { background:#fff; } section { break-inside:avoid; } }
""".replace("FONT", FONT_FAMILY)

#: Registered before plotly.js loads: any script error marks the page as failed.
STATUS_JS = """
(function () {
  var root = document.documentElement;
  window.vocmineStatus = function (s) {
    if ((root.getAttribute('data-vocmine-status') || '').indexOf('error:') === 0) { return; }
    root.setAttribute('data-vocmine-status', s);
  };
  window.addEventListener('error', function (e) { window.vocmineStatus('error:' + (e.message || 'script error')); });
  window.addEventListener('unhandledrejection', function (e) { window.vocmineStatus('error:' + e.reason); });
})();
"""

#: Draws every figure in ``window.vocmineFigures`` and records "ok:<n charts>" or "error:<why>".
RENDER_JS = """
(function () {
  var figs = window.vocmineFigures || [];
  function hasPoints(t) {
    return ['x', 'y', 'z', 'values'].some(function (k) { return t[k] && t[k].length > 0; });
  }
  if (figs.length && typeof Plotly === 'undefined') { window.vocmineStatus('error:plotly.js not loaded'); return; }
  Promise.all(figs.map(function (f) { return Plotly.newPlot(f.id, f.data, f.layout, f.config); }))
    .then(function () {
      var bad = figs.filter(function (f) {
        var el = document.getElementById(f.id);
        return !(el && el.data && el.data.some(hasPoints) && el.querySelector('svg.main-svg'));
      }).map(function (f) { return f.id; });
      window.vocmineStatus(bad.length ? 'error:empty chart ' + bad.join(',') : 'ok:' + figs.length);
    }, function (err) { window.vocmineStatus('error:' + err); });
})();
"""
