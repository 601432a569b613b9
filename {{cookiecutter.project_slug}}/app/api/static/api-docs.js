// Starts Swagger UI on /api/docs. Kept out of the page so the CSP can forbid inline scripts.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  var csrfToken = root.dataset.csrfToken;
  var unsafe = /^(POST|PUT|PATCH|DELETE)$/i;

  window.SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    domNode: root,
    // No deep links: Swagger UI puts each one, a link, inside the operation's
    // toggle button, and a link inside a button is unreachable by keyboard
    // (axe-core's nested-interactive rule, tests/browser/test_every_page.py).
    deepLinking: false,
    // Swagger UI leaves its server list unlabelled: name it for screen readers.
    onComplete: function () {
      var servers = root.querySelector("select#servers");
      if (servers) servers.setAttribute("aria-label", "Server");
    },
    // Calls made with the session cookie need the CSRF token, as any page's script would.
    requestInterceptor: function (request) {
      if (csrfToken && unsafe.test(request.method)) {
        request.headers["X-CSRFToken"] = csrfToken;
      }
      return request;
    },
  });
})();
