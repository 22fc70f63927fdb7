// 我要上报: the place without typing a coordinate — the device's
// position (WGS-84, as browsers give it) or a building picked by name;
// the coordinates go in hidden fields and are never shown.
(function () {
  'use strict';
  const form = document.getElementById('report-form');
  if (!form) return;
  const status = document.getElementById('located');
  // with map tiles configured, a pin on a small map shows the place and
  // can be dragged to where the problem is (Leaflet is fetched only then)
  const pinEl = document.getElementById('pin-map');
  let pinMap = null;
  let pin = null;
  const withLeaflet = function (then) {
    if (window.L) return then();
    const css = document.createElement('link');
    css.rel = 'stylesheet';
    css.href = pinEl.dataset.css;
    document.head.appendChild(css);
    const js = document.createElement('script');
    js.src = pinEl.dataset.js;
    js.onload = then;
    document.head.appendChild(js);
  };
  let set = null;
  const showPin = function (lng, lat) {
    if (!pinEl) return;
    withLeaflet(function () {
      pinEl.hidden = false;
      const hint = document.getElementById('pin-hint');
      if (hint) hint.hidden = false;
      if (!pinMap) {
        pinMap = L.map(pinEl, { attributionControl: false, keyboard: false });
        L.tileLayer(pinEl.dataset.tiles, { maxZoom: 19 }).addTo(pinMap);
        pin = L.marker([lat, lng], {
          draggable: true,
          keyboard: false,
          icon: L.divIcon({ className: 'pin', iconSize: [28, 28], iconAnchor: [14, 28] }),
        }).addTo(pinMap);
        pin.on('dragend', function () {
          const p = pin.getLatLng();
          set(p.lng, p.lat, '已按图钉调整位置', true);
        });
      } else {
        pin.setLatLng([lat, lng]);
      }
      pinMap.setView([lat, lng], 18);
      pinEl.dataset.ready = '1';
    });
  };
  set = function (lng, lat, what, fromPin) {
    form.elements.lng.value = Number(lng).toFixed(7);
    form.elements.lat.value = Number(lat).toFixed(7);
    form.elements.coord_sys.value = 'wgs84';
    if (status) status.textContent = what;
    if (!fromPin) showPin(Number(lng), Number(lat));
  };
  // the chosen photos as thumbnails, each with 删除 (nothing leaves the
  // phone until 提交); a removed photo is taken out of the file input
  const files = form.elements.photos;
  const thumbs = document.getElementById('thumbs');
  const show = function () {
    thumbs.textContent = '';
    Array.prototype.slice.call(files.files, 0, 9).forEach(function (f, i) {
      const li = document.createElement('li');
      const img = document.createElement('img');
      img.alt = '已选照片 ' + (i + 1);
      img.src = URL.createObjectURL(f);
      const rm = document.createElement('button');
      rm.type = 'button';
      rm.className = 'remove';
      rm.textContent = '删除';
      rm.setAttribute('aria-label', '删除第 ' + (i + 1) + ' 张照片');
      rm.addEventListener('click', function () {
        const keep = new DataTransfer();
        Array.prototype.forEach.call(files.files, function (g, j) { if (j !== i) keep.items.add(g); });
        files.files = keep.files;
        show();
      });
      li.appendChild(img);
      li.appendChild(rm);
      thumbs.appendChild(li);
    });
  };
  if (files && thumbs && window.URL) files.addEventListener('change', show);
  // a suggested category, tapped, is the category (不确定 leaves it to staff)
  document.addEventListener('click', function (ev) {
    const pill = ev.target.closest && ev.target.closest('#category-hint .pill');
    if (!pill) return;
    form.elements.category.value = pill.dataset.code;
    document.querySelectorAll('#category-hint .pill').forEach(function (p) {
      p.setAttribute('aria-pressed', p === pill ? 'true' : 'false');
    });
  });
  const pick = document.getElementById('pick-building');
  if (pick) {
    pick.addEventListener('change', function () {
      const o = pick.selectedOptions[0];
      if (o && o.dataset.lng) set(o.dataset.lng, o.dataset.lat, '已选:' + o.textContent);
    });
  }
  const button = document.getElementById('locate-me');
  if (!button) return;
  if (!('geolocation' in navigator)) { button.hidden = true; return; }
  button.addEventListener('click', function () {
    button.disabled = true;
    button.textContent = '正在定位…';
    navigator.geolocation.getCurrentPosition(function (pos) {
      const metres = Math.round(pos.coords.accuracy || 0);
      set(pos.coords.longitude, pos.coords.latitude, metres ? '已定位(约 ' + metres + ' 米范围内)' : '已定位');
      button.textContent = '重新定位';
      button.disabled = false;
    }, function () {
      button.textContent = '无法定位,请选择楼栋或填写地址';
      button.disabled = false;
    }, { enableHighAccuracy: true, timeout: 10000 });
  });
})();
