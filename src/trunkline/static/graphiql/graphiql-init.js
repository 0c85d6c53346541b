// Boots GraphiQL 3 (UMD globals React, ReactDOM, GraphiQL) against the page's
// own URL. A static file rather than an inline script so the page's CSP can
// say script-src 'self'.
(function () {
  'use strict';
  var config = JSON.parse(
    document.getElementById('trunkline-graphiql-config').textContent,
  );
  // The endpoint serves this page on GET, so its URL minus query/hash is the
  // GraphQL endpoint, wherever the app is mounted.
  var url = window.location.origin + window.location.pathname;
  // Subscriptions go over graphql-transport-ws on the same path (the bundle
  // carries the graphql-ws client).
  var fetcher = GraphiQL.createFetcher({
    url: url,
    subscriptionUrl: url.replace(/^http/, 'ws'),
  });
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: config.exampleQuery,
      // Open with the example even when an old session is in localStorage.
      query: config.exampleQuery,
    }),
  );
})();
