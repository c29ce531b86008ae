// Draws an admin area's boundary (or centre point) on a blank Leaflet map: no tile server,
// so it works offline and within the site's content security policy.
(function () {
  "use strict";

  function draw(container) {
    var source = document.getElementById(container.dataset.geometryId);
    if (!source || typeof L === "undefined") {
      return;
    }
    var feature = JSON.parse(source.textContent);
    var map = L.map(container, { attributionControl: false, zoomSnap: 0.25 });
    var layer = L.geoJSON(feature, {
      style: { color: "#1f5f8b", weight: 2, fillOpacity: 0.25 },
      pointToLayer: function (_point, latlng) {
        // A circle marker needs no icon images.
        return L.circleMarker(latlng, { radius: 8, color: "#1f5f8b", fillOpacity: 0.6 });
      }
    }).addTo(map);
    if (feature.geometry && feature.geometry.type === "Point") {
      map.setView(layer.getLayers()[0].getLatLng(), 8);
    } else {
      map.fitBounds(layer.getBounds(), { padding: [16, 16] });
    }
  }

  function start() {
    document.querySelectorAll(".area-map[data-geometry-id]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
