// Renders every Vega-Lite spec embedded as <script type="application/json" class="chart-spec">
// into the element named by its data-target. The CSP forbids eval, so with `ast: true`
// vega-embed runs the expressions with Vega's bundled interpreter instead.
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
    .then(() => target.classList.add("chart-ready"))
    .catch((error) => {
      target.textContent = target.dataset.error || String(error);
    });
}
