/* The ledger's charts (Chart.js, served by qhall): tickets per day or month, ratings by
   level, and the average and 90th-percentile wait of each group. */
(function () {
  "use strict";
  const box = document.getElementById("charts");
  if (!box || !window.Chart) return;
  const data = JSON.parse(box.dataset.chart);
  const en = document.documentElement.dataset.lang === "en";
  const t = (zh, english) => (en ? english : zh);
  Chart.defaults.font.family = getComputedStyle(document.documentElement).fontFamily;
  Chart.defaults.animation = false;
  const red = "#b71c1c", green = "#1b5e20", gold = "#e0a800", grey = "#9e9e9e";
  new Chart(document.getElementById("chart-volume"), {
    type: "bar",
    data: {
      labels: data.series.map((p) => p.period),
      datasets: [
        { label: t("取号", "Issued"), data: data.series.map((p) => p.issued), backgroundColor: grey },
        { label: t("办结", "Served"), data: data.series.map((p) => p.served), backgroundColor: green },
        { label: t("过号", "No-shows"), data: data.series.map((p) => p.no_shows), backgroundColor: red },
      ],
    },
    options: { maintainAspectRatio: false, scales: { y: { beginAtZero: true } } },
  });
  new Chart(document.getElementById("chart-levels"), {
    type: "doughnut",
    data: {
      labels: data.levels.map((l) => t(l.zh, l.en)),
      datasets: [{ data: data.levels.map((l) => l.count), backgroundColor: [green, "#66bb6a", gold, "#ef6c00", red] }],
    },
    options: { maintainAspectRatio: false },
  });
  const minutes = (s) => (s === null ? null : Math.round(s / 6) / 10);
  new Chart(document.getElementById("chart-waits"), {
    type: "bar",
    data: {
      labels: data.groups.map((g) => t(g.label, g.label_en)),
      datasets: [
        { label: t("平均等候", "Average"), data: data.groups.map((g) => minutes(g.wait_avg_s)), backgroundColor: gold },
        { label: t("90%等候", "90th percentile"), data: data.groups.map((g) => minutes(g.wait_p90_s)), backgroundColor: red },
      ],
    },
    options: { maintainAspectRatio: false, indexAxis: "y", scales: { x: { beginAtZero: true } } },
  });
})();
