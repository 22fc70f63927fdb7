// 站内消息: the unread badges (the tab bar's on phones, the side menu's on
// desktops), kept live by the server's event stream (the browser
// reconnects by itself when it drops).
(function () {
  'use strict';
  const badges = document.querySelectorAll('.inbox-badge');
  if (!badges.length || !('EventSource' in window)) return;
  const source = new EventSource('/api/v1/notifications/stream');
  source.addEventListener('inbox', function (e) {
    let s;
    try { s = JSON.parse(e.data); } catch (_) { return; }
    const n = Number(s.unread) || 0;
    badges.forEach(function (badge) {
      badge.textContent = n === 0 ? '' : n > 99 ? '99+' : String(n);
      badge.hidden = n === 0;
      badge.dataset.newest = String(s.newest);
    });
  });
})();
