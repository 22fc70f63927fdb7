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

  // Excel import: the file is the request body; the CSRF token goes in
  // its header, as for every script-made request.
  var form = document.getElementById("import-form");
  if (form) {
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var out = document.getElementById("import-result");
      var file = form.elements.file.files[0];
      if (!file) return;
      out.textContent = "正在导入…";
      fetch(form.dataset.url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRF-Token": form.elements._csrf.value, "Content-Type": file.type || "application/octet-stream" },
        body: file
      })
        .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, j: j }; }); })
        .then(function (res) {
          out.textContent = "";
          if (!res.ok) {
            out.className = "error";
            out.textContent = res.j.errors.map(function (e) { return e.detail; }).join(";");
            return;
          }
          var j = res.j;
          out.className = j.rejected.length ? "error" : "notice";
          var p = document.createElement("p");
          p.id = "import-summary";
          p.textContent = j.imported !== undefined
            ? "共 " + j.rows + " 行:新增居民 " + j.imported + " 人;更新 " + j.updated + ",未变 " + j.unchanged +
              ",未导入 " + j.rejected.length + " 行。"
            : "共 " + j.rows + " 行:新增小区 " + j.estates + "、楼栋 " + j.buildings + "、单元 " + j.units +
              "、住户 " + j.dwellings + ";更新 " + j.updated + ",未变 " + j.unchanged + ",未导入 " + j.rejected.length + " 行。";
          out.appendChild(p);
          if (j.rejected.length) {
            var ul = document.createElement("ul");
            j.rejected.forEach(function (x) {
              var li = document.createElement("li");
              li.className = "rejected";
              li.textContent = "第 " + x.row + " 行:" + x.reason;
              ul.appendChild(li);
            });
            out.appendChild(ul);
          }
        })
        .catch(function () { out.className = "error"; out.textContent = "导入失败,请重试"; });
    });
  }
})();
