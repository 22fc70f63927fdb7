// 站内消息: the unread badge in the top bar, kept live by the server's
// event stream (the browser reconnects by itself when it drops).
(function () {
  'use strict';
  const badge = document.getElementById('inbox-unread');
  if (!badge || !('EventSource' in window)) return;
  const source = new EventSource('/api/v1/notifications/stream');
  source.addEventListener('inbox', function (e) {
    let s;
    try { s = JSON.parse(e.data); } catch (_) { return; }
    const n = Number(s.unread) || 0;
    badge.textContent = n > 99 ? '99+' : String(n);
    badge.hidden = n === 0;
    badge.dataset.newest = String(s.newest);
  });
})();
