// dacu console: draws the dashboard's charts from the same JSON as the API, again after
// every poll, and reports requests the server refused.
(function () {
  "use strict";

  // ECharts draws numbers, not text: fen become yuan here for the axes only; every
  // figure written on the page stays the integer the API returned.
  function yuan(fen) { return fen / 100; }
  function yuanText(value) {
    return "¥" + value.toLocaleString("zh-CN", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }
  function hourLabel(iso) { return iso.slice(5, 10) + " " + iso.slice(11, 13) + ":00"; }

  const palette = ["#e4393c", "#2f6fed", "#1a9a5b", "#d98a00", "#7b61ff"];

  function chartOn(id) {
    const el = document.getElementById(id);
    if (!el || !window.echarts) return null;
    return window.echarts.getInstanceByDom(el) || window.echarts.init(el);
  }

  function base(labels, hours) {
    return {
      color: palette,
      animationDuration: 300,
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: hours, axisTick: { alignWithLabel: true } },
      graphic: hours.length ? [] : [{ type: "text", left: "center", top: "middle",
        style: { text: labels.empty, fill: "#7a8499", fontSize: 14 } }],
    };
  }

  function draw() {
    const holder = document.getElementById("board");
    if (!holder) return;
    const board = JSON.parse(holder.dataset.board);
    const labels = JSON.parse(holder.dataset.labels);
    const hours = board.hourly.map(function (h) { return hourLabel(h.hour); });

    const gmv = chartOn("chart-gmv");
    if (gmv) {
      gmv.setOption(Object.assign(base(labels, hours), {
        legend: { data: [labels.gmv], top: 0 },
        tooltip: { trigger: "axis", valueFormatter: yuanText },
        yAxis: { type: "value", axisLabel: { formatter: function (v) { return "¥" + v.toLocaleString("zh-CN"); } } },
        series: [{ name: labels.gmv, type: "bar", barMaxWidth: 36, itemStyle: { borderRadius: [4, 4, 0, 0] },
          data: board.hourly.map(function (h) { return yuan(h.gmv); }) }],
      }));
    }
    const orders = chartOn("chart-orders");
    if (orders) {
      orders.setOption(Object.assign(base(labels, hours), {
        color: ["#2f6fed", "#1a9a5b", "#d98a00"],
        legend: { data: [labels.orders, labels.payments, labels.uv], top: 0 },
        yAxis: [{ type: "value" }, { type: "value", splitLine: { show: false } }],
        series: [
          { name: labels.orders, type: "line", smooth: true, symbolSize: 6,
            data: board.hourly.map(function (h) { return h.orders; }) },
          { name: labels.payments, type: "line", smooth: true, symbolSize: 6, areaStyle: { opacity: 0.08 },
            data: board.hourly.map(function (h) { return h.payments; }) },
          { name: labels.uv, type: "bar", yAxisIndex: 1, barMaxWidth: 24, itemStyle: { opacity: 0.25 },
            data: board.hourly.map(function (h) { return h.uv_hour; }) },
        ],
      }));
    }
    const channels = chartOn("chart-channels");
    if (channels) {
      channels.setOption({
        color: palette,
        animationDuration: 300,
        tooltip: { trigger: "item", valueFormatter: yuanText },
        legend: { bottom: 0 },
        series: [{ name: labels.gmv, type: "pie", radius: ["42%", "68%"], center: ["50%", "44%"],
          label: { formatter: "{b}\n{d}%" },
          data: Object.keys(board.channels).map(function (key) {
            return { name: labels.channels[key] || key, value: yuan(board.channels[key].gmv) };
          }) }],
      });
    }
  }

  function toast(text) {
    const box = document.getElementById("toast");
    if (!box) return;
    box.textContent = text;
    box.hidden = false;
    clearTimeout(box.dataset.timer);
    box.dataset.timer = setTimeout(function () { box.hidden = true; }, 6000);
  }

  // bars are as wide as their data-width (percent): set here, not in a style attribute,
  // which the Content-Security-Policy (style-src 'self') would refuse
  function widths(root) {
    root.querySelectorAll("[data-width]").forEach(function (bar) {
      bar.style.width = bar.dataset.width + "%";
    });
  }

  document.addEventListener("DOMContentLoaded", function () { widths(document); draw(); });
  document.addEventListener("htmx:load", function (event) { widths(event.target); });
  // the poll swaps #board out of band; redraw once it has settled
  document.addEventListener("htmx:afterSettle", function (event) {
    widths(document);
    if (event.target && event.target.id === "board") draw();
  });
  window.addEventListener("resize", function () {
    ["chart-gmv", "chart-orders", "chart-channels"].forEach(function (id) {
      const chart = chartOn(id);
      if (chart) chart.resize();
    });
  });
  // htmx swaps nothing on an error status: say what the server said instead
  document.addEventListener("htmx:responseError", function (event) {
    const reply = new DOMParser().parseFromString(event.detail.xhr.responseText, "text/html");
    toast((reply.body.textContent || "").trim() || String(event.detail.xhr.status));
  });
})();
