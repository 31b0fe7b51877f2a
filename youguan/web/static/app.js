/* youguan page helpers (no build step, no network beyond this server).
 *
 * Charts: every element with data-chart="<name>" is drawn from the ECharts option embedded in the
 * page as <script type="application/json" id="chart-option-<name>">. Maps first register their
 * GeoJSON from data-map-url (a URL of this platform) under data-map. When ECharts fires
 * `finished`, the element gets data-chart-ready="1" (browser tests wait for it); a failure sets
 * data-chart-error.
 * A data item with a `url` (a point on a map) opens it when clicked.
 * HTMX: every request carries the page's CSRF token; charts inside swapped content are drawn.
 */
(function () {
  "use strict";
  var maps = {};
  var instances = [];

  function loadMap(name, url) {
    if (!maps[name]) {
      maps[name] = fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) {
          if (!r.ok) { throw new Error("地图数据加载失败：" + r.status); }
          return r.json();
        })
        .then(function (geojson) { echarts.registerMap(name, geojson); return geojson; });
    }
    return maps[name];
  }

  function drawChart(el) {
    if (el.dataset.chartInit) { return Promise.resolve(); }
    el.dataset.chartInit = "1";
    var source = document.getElementById("chart-option-" + el.dataset.chart);
    var option = JSON.parse(source.textContent);
    var ready = el.dataset.map ? loadMap(el.dataset.map, el.dataset.mapUrl) : Promise.resolve();
    return ready.then(function () {
      var chart = echarts.init(el, null, { renderer: "canvas" });
      chart.on("finished", function () { el.dataset.chartReady = "1"; });
      chart.on("click", function (p) {
        if (p.data && p.data.url) { window.location.href = p.data.url; }
      });
      chart.setOption(option);
      instances.push(chart);
    });
  }

  function drawAll(root) {
    if (typeof echarts === "undefined") { return; }
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      drawChart(el).catch(function (err) {
        el.dataset.chartError = String(err && err.message ? err.message : err);
        el.classList.add("chart-failed");
        el.textContent = "图表无法显示：" + el.dataset.chartError;
      });
    });
  }

  var resizeTimer = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () {
      instances.forEach(function (c) { if (!c.isDisposed()) { c.resize(); } });
    }, 150);
  });

  document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  document.addEventListener("htmx:afterSettle", function (e) { drawAll(e.target); });
  document.addEventListener("htmx:configRequest", function (e) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) { e.detail.headers["X-CSRF-Token"] = meta.content; }
  });
  document.addEventListener("click", function (e) {
    var btn = e.target.closest("[data-copy]");
    if (!btn) { return; }
    var target = document.getElementById(btn.dataset.copy);
    if (target && navigator.clipboard) {
      navigator.clipboard.writeText(target.textContent.trim()).then(function () { btn.textContent = "已复制"; });
    }
  });
})();
