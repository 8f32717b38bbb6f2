// dacu console, budget page: bars of each department's and promotion's cap, what orders
// drew and what paid orders spent, from the integers of fen the page carries.
(function () {
  "use strict";

  function yuan(fen) { return fen === null ? 0 : fen / 100; }

  function bars(id, rows, labels) {
    const el = document.getElementById(id);
    if (!el || !window.echarts || !rows.length) return;
    const chart = window.echarts.getInstanceByDom(el) || window.echarts.init(el);
    chart.setOption({
      color: ["#c8cfdc", "#e4393c", "#2f6fed"],
      animationDuration: 300,
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis" },
      legend: { data: labels, top: 0 },
      xAxis: { type: "category", data: rows.map(function (r) { return r[0]; }) },
      yAxis: { type: "value", axisLabel: { formatter: function (v) { return "¥" + v.toLocaleString("zh-CN"); } } },
      series: [1, 2, 3].map(function (i) {
        return { name: labels[i - 1], type: "bar", barMaxWidth: 28,
          data: rows.map(function (r) { return yuan(r[i]); }) };
      }),
    });
  }

  function draw() {
    const holder = document.getElementById("budget");
    if (!holder || !holder.dataset.chart) return;
    const data = JSON.parse(holder.dataset.chart);
    const labels = JSON.parse(holder.dataset.labels || '["cap","drawn","paid"]');
    bars("chart-budget-departments", data.departments, labels);
    bars("chart-budget-promotions", data.promotions, labels);
  }

  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSettle", draw);
})();
