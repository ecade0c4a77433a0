// The API documentation at /api/docs: Swagger UI, served by the app itself (no CDN),
// started here rather than in an inline script, which our CSP does not run.
window.addEventListener("DOMContentLoaded", function () {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
});
