// The organiser's check-in code changes every 30 seconds: fetch the page
// again and swap the code in place — nothing else on the screen moves, no
// reload, no lost focus. A printed code has no data-refresh and stays.
(function () {
  var qr = document.getElementById("qr");
  if (!qr || !qr.dataset.refresh) return;
  setInterval(function () {
    fetch(location.href, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) return;
        var next = new DOMParser().parseFromString(html, "text/html").getElementById("qr");
        if (next) qr.innerHTML = next.innerHTML;
      })
      .catch(function () {});
  }, Number(qr.dataset.refresh) * 1000);
})();
