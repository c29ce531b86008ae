/* The home page map: countries with a country group are highlighted; a click opens the group.
   Shapes come from world-atlas (TopoJSON, ids = ISO 3166 numeric codes); no map tiles. */
(function () {
  "use strict";

  function init() {
    var element = document.getElementById("group-map");
    if (!element || typeof L === "undefined" || typeof topojson === "undefined") return;
    var dataElement = document.getElementById(element.dataset.countries);
    var countries = dataElement ? JSON.parse(dataElement.textContent) : [];
    var byNumeric = {};
    countries.forEach(function (c) {
      if (c.numeric) byNumeric[String(c.numeric).padStart(3, "0")] = c;
    });

    var map = L.map(element, {
      attributionControl: false,
      worldCopyJump: false,
      minZoom: 1,
      maxZoom: 6,
      zoomSnap: 0.5,
      scrollWheelZoom: false
    }).setView([10, 20], 1.5);

    fetch(element.dataset.topojson)
      .then(function (response) { return response.json(); })
      .then(function (world) {
        var shapes = topojson.feature(world, world.objects.countries);
        var layer = L.geoJSON(shapes, {
          style: function (feature) {
            var hit = byNumeric[feature.id];
            return {
              color: "#ffffff",
              weight: 0.6,
              fillOpacity: 1,
              fillColor: hit ? "#b3541e" : "#d7dde3"
            };
          },
          onEachFeature: function (feature, shape) {
            var hit = byNumeric[feature.id];
            if (!hit) return;
            var names = hit.groups.map(function (g) { return g.name; }).join(", ");
            shape.bindTooltip(hit.name + ": " + names, { sticky: true });
            shape.on("click", function () {
              window.location.href = hit.groups[0].url;
            });
          }
        }).addTo(map);
        var highlighted = layer.getLayers().filter(function (shape) {
          return byNumeric[shape.feature.id];
        });
        if (highlighted.length) {
          map.fitBounds(L.featureGroup(highlighted).getBounds(), { maxZoom: 4, padding: [20, 20] });
        }
      })
      .catch(function () {
        element.hidden = true;
      });
  }

  if (document.readyState !== "loading") init();
  else document.addEventListener("DOMContentLoaded", init);
})();
