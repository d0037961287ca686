// place.js: offers "use my location" where the browser can give one. Forms
// work without it: the ZIP code is enough. No data leaves the page except in
// the form the person submits.
document.addEventListener("DOMContentLoaded", function () {
  if (!("geolocation" in navigator)) { return; }
  document.querySelectorAll("[data-geo]").forEach(function (box) {
    var button = box.querySelector("button");
    var lat = box.querySelector("input[name=lat]");
    var lon = box.querySelector("input[name=lon]");
    var status = box.querySelector(".geo-status");
    if (!button || !lat || !lon) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      status.textContent = "…";
      navigator.geolocation.getCurrentPosition(function (pos) {
        lat.value = pos.coords.latitude.toFixed(5);
        lon.value = pos.coords.longitude.toFixed(5);
        status.textContent = "✓ " + lat.value + ", " + lon.value;
      }, function () {
        status.textContent = "✗";
      }, { enableHighAccuracy: false, timeout: 10000, maximumAge: 60000 });
    });
  });
});
