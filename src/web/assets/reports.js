/* global document, window */
// The reports page's two charts, drawn from the numbers the page carries in data-chart (the
// same numbers as the tables under them). Served by us; no inline script (the CSP allows none).
(function () {
  const el = document.getElementById('chart-data');
  if (!el || typeof window.Chart !== 'function') return;
  const data = JSON.parse(el.getAttribute('data-chart'));
  const colours = ['#1565c0', '#2e7d32', '#ef6c00', '#6a1b9a'];
  function draw(id, d) {
    const canvas = document.getElementById(id);
    if (!canvas || d.labels.length === 0) return;
    new window.Chart(canvas, {
      type: 'bar',
      data: { labels: d.labels, datasets: d.series.map((s, i) => ({ label: s.label, data: s.data, backgroundColor: colours[i % colours.length] })) },
      options: { responsive: true, maintainAspectRatio: false, animation: false, plugins: { legend: { position: 'bottom' } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
    });
  }
  draw('chart-weeks', data.weeks);
  draw('chart-communes', data.communes);
})();
