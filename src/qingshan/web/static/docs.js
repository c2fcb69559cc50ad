// The API's browsable documentation: Swagger UI on /openapi.json (a file, not an inline
// script, so the Content-Security-Policy needs no 'unsafe-inline').
(function () {
  "use strict";
  if (typeof window.SwaggerUIBundle !== "function") return;  // offline: the link stays
  window.SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    deepLinking: true,
    presets: [window.SwaggerUIBundle.presets.apis]
  });
})();
