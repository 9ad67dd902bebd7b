// The statistics page's charts, drawn by Chart.js (served from this console, never a CDN).
"use strict";

(function () {
  const stats = JSON.parse(document.getElementById("stats-data").textContent);
  const colours = ["#b3121b", "#c25e00", "#2a5db0", "#1f7a3a", "#7c3aed", "#0e7490", "#6b7280"];
  Chart.defaults.animation = false;

  function bar(id, data, options) {
    new Chart(document.getElementById(id), {
      type: "bar",
      data: {
        labels: Object.keys(data).map((k) => k.replaceAll("_", " ")),
        datasets: [{ data: Object.values(data), backgroundColor: options.colours || colours }],
      },
      options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
    });
  }

  bar("chart-days", stats.by_day, { colours: "#2a5db0" });
  bar("chart-category", stats.by_category, {});
  bar("chart-urgency", stats.by_urgency, { colours: ["#b3121b", "#c25e00", "#2a5db0", "#6b7280"] });
  bar("chart-dispositions", stats.dispositions, {});
  const medians = {};
  for (const [urgency, figures] of Object.entries(stats.minutes_to_acknowledge)) medians[urgency] = figures.median || 0;
  bar("chart-ack", medians, { colours: ["#b3121b", "#c25e00", "#2a5db0"] });
  document.documentElement.dataset.charts = "drawn";
})();
