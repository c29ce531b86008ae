/* The "who is where" map: admin areas coloured by the number of organisations present, on a
   blank Leaflet map (no tile server). The country outline comes from world-atlas; the areas
   from their imported boundaries, or circles at their centres when none are loaded. A click
   lists who is there in the side panel. The figures are also in the table below the map. */
(function () {
  "use strict";

  var COLOURS = ["#f2f4f7", "#fde0c5", "#f9b98a", "#f08a4b", "#d4572a", "#9c2f12"];

  function bin(count, max) {
    if (!count) return 0;
    return Math.max(1, Math.min(5, Math.ceil((5 * count) / Math.max(max, 1))));
  }

  function showArea(element, pcode) {
    var url = element.dataset.areaUrl + "&area=" + encodeURIComponent(pcode);
    if (typeof htmx !== "undefined") {
      htmx.ajax("GET", url, { target: "#area-panel", swap: "innerHTML" });
    } else {
      window.location.href = url;
    }
  }

  function label(element, area) {
    var word = area.organisations === 1 ? element.dataset.labelOne : element.dataset.labelMany;
    return area.name + " (" + area.pcode + "): " + area.organisations + " " + word;
  }

  function draw(element) {
    if (element.dataset.drawn || typeof L === "undefined") return;
    element.dataset.drawn = "1";
    var source = document.getElementById(element.dataset.map);
    if (!source) return;
    var data = JSON.parse(source.textContent);
    var byCode = {};
    data.areas.forEach(function (a) { byCode[a.pcode] = a; });

    var map = L.map(element, { attributionControl: false, zoomSnap: 0.25, scrollWheelZoom: false });
    map.setView([0, 0], 2);
    var bounds = null;

    function extend(layer) {
      var b = layer.getBounds();
      if (!b.isValid()) return;
      bounds = bounds ? bounds.extend(b) : L.latLngBounds(b.getSouthWest(), b.getNorthEast());
      map.fitBounds(bounds, { padding: [12, 12] });
    }

    function onArea(area, layer) {
      layer.bindTooltip(label(element, area), { sticky: true });
      if (area.organisations) {
        layer.on("click", function () { showArea(element, area.pcode); });
      }
    }

    function points(areas) {
      var group = L.featureGroup();
      areas.forEach(function (a) {
        if (a.lat === null || a.lon === null) return;
        var b = bin(a.organisations, data.max);
        var marker = L.circleMarker([a.lat, a.lon], {
          radius: 5 + 2 * b,
          color: "#333333",
          weight: 1,
          fillColor: COLOURS[b],
          fillOpacity: 0.9
        });
        onArea(a, marker);
        group.addLayer(marker);
      });
      if (group.getLayers().length) {
        group.addTo(map);
        extend(group);
      }
    }

    // The country outline under the areas, so the map is never blank.
    if (element.dataset.world && typeof topojson !== "undefined") {
      fetch(element.dataset.world)
        .then(function (r) { return r.json(); })
        .then(function (world) {
          var code = String(data.country.numeric || "").padStart(3, "0");
          var shapes = topojson.feature(world, world.objects.countries);
          var outline = L.geoJSON(shapes, {
            filter: function (f) { return f.id === code; },
            style: { color: "#6b7785", weight: 1, fillColor: "#dde3e9", fillOpacity: 1 },
            interactive: false
          }).addTo(map);
          outline.bringToBack();
          if (!bounds) extend(outline);
        })
        .catch(function () { /* the areas are drawn anyway */ });
    }

    if (data.mode === "shapes") {
      fetch(element.dataset.shapes)
        .then(function (r) { return r.json(); })
        .then(function (collection) {
          var drawn = {};
          var layer = L.geoJSON(collection, {
            style: function (f) {
              var a = byCode[f.properties.pcode] || { organisations: 0 };
              return {
                color: "#ffffff",
                weight: 0.8,
                fillColor: COLOURS[bin(a.organisations, data.max)],
                fillOpacity: 0.9
              };
            },
            onEachFeature: function (f, shape) {
              var a = byCode[f.properties.pcode];
              if (!a) return;
              drawn[a.pcode] = true;
              onArea(a, shape);
            }
          }).addTo(map);
          extend(layer);
          // Areas without an imported boundary still appear, as circles at their centre.
          points(data.areas.filter(function (a) { return !drawn[a.pcode]; }));
        })
        .catch(function () { points(data.areas); });
    } else {
      points(data.areas);
    }
  }

  function start() {
    document.querySelectorAll(".activity-map[data-map]").forEach(draw);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
  // Filtering swaps the results (and the map) in place.
  document.addEventListener("htmx:afterSettle", start);
})();
