// Swagger UI for the gateway's OpenAPI document, which nginx proxies at /api/openapi.json.
// "Try it out" goes through the same proxy: the server URL is set to /api.
window.ui = SwaggerUIBundle({
  url: "../api/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  requestInterceptor: (request) => {
    const url = new URL(request.url, window.location.href);
    if (!url.pathname.startsWith("/api/")) {
      url.pathname = "/api" + url.pathname;
      request.url = url.href;
    }
    return request;
  },
});
