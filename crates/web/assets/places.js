// Boundary upload: a chosen GeoJSON file is read into the form's text
// area, so the form posts as ordinary urlencoded text (CSRF field included).
(function () {
  "use strict";
  document.querySelectorAll("input[type=file][data-fills]").forEach(function (input) {
    input.addEventListener("change", function () {
      var target = document.getElementById(input.dataset.fills);
      var file = input.files && input.files[0];
      if (!target || !file) return;
      if (file.size > 512 * 1024) {
        alert("边界文件过大(超过 512 KB)");
        input.value = "";
        return;
      }
      file.text().then(function (t) { target.value = t; });
    });
  });
})();
