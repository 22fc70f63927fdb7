// The page shell: marks the tab and menu entry of the page being shown,
// and in 长辈版 offers to read the page aloud with the browser's own
// speech synthesis (zh-CN) — nothing leaves the phone.
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

  var speak = document.getElementById("speak");
  if (!speak || !("speechSynthesis" in window)) return;
  speak.hidden = false;
  var label = speak.querySelector(".speak-label");
  speak.addEventListener("click", function () {
    var s = window.speechSynthesis;
    if (s.speaking) { s.cancel(); label.textContent = "朗读本页"; return; }
    var main = document.querySelector("main");
    var u = new SpeechSynthesisUtterance(main ? main.innerText : document.title);
    u.lang = "zh-CN";
    u.rate = 0.9;
    u.onend = function () { label.textContent = "朗读本页"; };
    label.textContent = "停止朗读";
    s.speak(u);
  });
})();
