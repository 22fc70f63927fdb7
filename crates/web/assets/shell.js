// The page shell: marks the tab and menu entry of the page being shown,
// asks before destructive forms in a bottom sheet, and in 长辈版 offers to
// read the page aloud with a zh-CN voice of the device itself (never a
// network voice: nothing leaves the phone).
(function () {
  "use strict";
  var here = location.pathname;
  function best(links) {
    var pick = null;
    links.forEach(function (a) {
      var p = a.getAttribute("href");
      if ((here === p || here.indexOf(p + "/") === 0) && (!pick || p.length > pick.getAttribute("href").length)) pick = a;
    });
    return pick;
  }
  [".tabbar .tab", ".sidebar a"].forEach(function (sel) {
    var a = best(Array.prototype.slice.call(document.querySelectorAll(sel)));
    if (a) a.setAttribute("aria-current", "page");
  });

  // A form with data-confirm asks first, in a bottom sheet that names
  // what will happen, with 取消 focused (ui.md: never the browser's confirm()).
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    var msg = form.dataset && form.dataset.confirm;
    if (!msg || form.dataset.confirmed) return;
    ev.preventDefault();
    var submitter = ev.submitter;
    var d = document.createElement("dialog");
    d.className = "sheet confirm";
    d.setAttribute("aria-label", "请确认");
    var p = document.createElement("p");
    p.className = "confirm-text";
    p.textContent = msg;
    var row = document.createElement("div");
    row.className = "sheet-actions";
    var no = document.createElement("button");
    no.type = "button"; no.className = "cancel"; no.textContent = "取消";
    var yes = document.createElement("button");
    yes.type = "button"; yes.className = "primary ok"; yes.textContent = "确定";
    row.appendChild(no); row.appendChild(yes);
    d.appendChild(p); d.appendChild(row);
    document.body.appendChild(d);
    function done() { d.close(); d.remove(); }
    no.addEventListener("click", done);
    d.addEventListener("cancel", function () { d.remove(); });
    yes.addEventListener("click", function () {
      done();
      form.dataset.confirmed = "1";
      if (form.requestSubmit) form.requestSubmit(submitter || undefined); else form.submit();
    });
    d.showModal();
    no.focus();
  });

  // read aloud only with a Chinese voice on the device itself: a network
  // voice would send the page (perhaps a household's data) away
  var speak = document.getElementById("speak");
  if (!speak || !("speechSynthesis" in window)) return;
  var voice = null;
  function pick() {
    voice = window.speechSynthesis.getVoices().filter(function (v) {
      return v.localService && /^zh/i.test(v.lang);
    })[0] || null;
    speak.hidden = !voice;
  }
  pick();
  window.speechSynthesis.addEventListener("voiceschanged", pick);
  var label = speak.querySelector(".speak-label");
  speak.addEventListener("click", function () {
    var s = window.speechSynthesis;
    if (s.speaking) { s.cancel(); label.textContent = "朗读本页"; return; }
    var main = document.querySelector("main");
    var u = new SpeechSynthesisUtterance(main ? main.innerText : document.title);
    u.lang = "zh-CN";
    u.voice = voice;
    u.rate = 0.9;
    u.onend = function () { label.textContent = "朗读本页"; };
    label.textContent = "停止朗读";
    s.speak(u);
  });
})();

// a page's own print button (the 公开栏 poster)
(function () {
  var b = document.getElementById("print");
  if (b) b.addEventListener("click", function () { window.print(); });
})();
