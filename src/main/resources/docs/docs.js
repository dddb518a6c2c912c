// Started from a file of its own: the page's Content-Security-Policy allows no inline script.
window.addEventListener('load', () => {
  window.SwaggerUIBundle({
    url: '/api/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    // The document is served by this node; nothing is fetched from elsewhere.
    validatorUrl: null,
    // Cookies (the session) go with "Try it out" on the same origin.
    withCredentials: true
  });
});
