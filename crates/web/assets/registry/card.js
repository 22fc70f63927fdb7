// The anti-wandering card's page: when the scanner ticks "share my place",
// the browser's location fills the form before it is sent; otherwise (or
// when the browser refuses) the form goes without it.
(function () {
  "use strict";
  var form = document.getElementById("guardian-form");
  var share = document.getElementById("share-location");
  if (!form || !share || !navigator.geolocation) return;
  var sending = false;
  form.addEventListener("submit", function (ev) {
    if (!share.checked || sending) return;
    ev.preventDefault();
    sending = true;
    var send = function () { form.submit(); };
    navigator.geolocation.getCurrentPosition(function (p) {
      form.elements.lng.value = p.coords.longitude.toFixed(3);
      form.elements.lat.value = p.coords.latitude.toFixed(3);
      send();
    }, send, { timeout: 8000, maximumAge: 60000 });
  });
})();
