// Renders every Vega-Lite spec embedded as <script type="application/json" class="chart-spec">
// into the element named by its data-target. The CSP forbids eval, so Vega runs its
// expressions with the AST interpreter.
for (const source of document.querySelectorAll("script.chart-spec")) {
  const target = document.getElementById(source.dataset.target);
  if (!target) continue;
  const spec = JSON.parse(source.textContent);
  window
    .vegaEmbed(target, spec, {
      actions: false,
      renderer: "svg",
      ast: true,
      expr: window.vega.expressionInterpreter,
    })
    .then(() => target.classList.add("chart-ready"))
    .catch((error) => {
      target.textContent = target.dataset.error || String(error);
    });
}
