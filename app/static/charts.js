// Renders every Vega-Lite spec embedded as <script type="application/json" class="chart-spec">
// into the element named by its data-target. The CSP forbids eval, so with `ast: true`
// vega-embed runs the expressions with Vega's bundled interpreter instead. The spec
// carries its own number and date locale (config.locale, app/figures/charts.py), so the
// browser writes "jan 2024" and "26,3" exactly as the server-rendered SVG does.
for (const source of document.querySelectorAll("script.chart-spec")) {
  const target = document.getElementById(source.dataset.target);
  if (!target) continue;
  const spec = JSON.parse(source.textContent);
  window
    .vegaEmbed(target, spec, {
      actions: false,
      renderer: "svg",
      ast: true,
      // No injected <style> elements (CSP style-src 'self'): see charts.css.
      defaultStyle: false,
      tooltip: { disableDefaultStyle: true },
    })
    .then(() => {
      // One image named by the chart's summary sentence; its marks are aria-hidden.
      const svg = target.querySelector("svg");
      if (svg && spec.description) {
        svg.setAttribute("role", "img");
        svg.setAttribute("aria-label", spec.description);
      }
      target.classList.add("chart-ready");
    })
    .catch((error) => {
      target.textContent = target.dataset.error || String(error);
    });
}
