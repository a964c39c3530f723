// Yasgui pointed at this server's /sparql. Links to IRIs under the base IRI open the local
// entity page, as they would after w3id.org redirected them.
(function () {
  var config = document.getElementById("editor-config");
  var base = config.dataset.base;
  localStorage.clear();
  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: "/sparql", method: "POST" },
    copyEndpointOnNewTab: false,
    endpointCatalogueOptions: { getData: function () { return []; } },
    persistenceId: null,
    yasqe: { value: config.dataset.example, autocompleters: ["variables", "prefixes"] },
  });
  window.normgraphYasgui = yasgui;
  document.addEventListener("click", function (event) {
    var anchor = event.target.closest && event.target.closest("a[href]");
    if (anchor && anchor.href.indexOf(base) === 0) {
      event.preventDefault();
      event.stopPropagation();
      window.location.assign("/" + anchor.href.slice(base.length));
    }
  }, true);
})();
