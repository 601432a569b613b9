// Starts Swagger UI on /api/docs. Kept out of the page so the CSP can forbid inline scripts.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  var csrfToken = root.dataset.csrfToken;
  var unsafe = /^(POST|PUT|PATCH|DELETE)$/i;

  window.SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    domNode: root,
    deepLinking: true,
    // Calls made with the session cookie need the CSRF token, as any page's script would.
    requestInterceptor: function (request) {
      if (csrfToken && unsafe.test(request.method)) {
        request.headers["X-CSRFToken"] = csrfToken;
      }
      return request;
    },
  });
})();
