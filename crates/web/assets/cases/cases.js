// 我要上报: "使用当前位置" fills the point from the device (WGS-84).
(function () {
  'use strict';
  const button = document.getElementById('locate-me');
  const form = document.getElementById('report-form');
  if (!button || !form) return;
  if (!('geolocation' in navigator)) { button.hidden = true; return; }
  button.addEventListener('click', function () {
    button.disabled = true;
    button.textContent = '正在定位…';
    navigator.geolocation.getCurrentPosition(function (pos) {
      form.elements.lng.value = pos.coords.longitude.toFixed(7);
      form.elements.lat.value = pos.coords.latitude.toFixed(7);
      form.elements.coord_sys.value = 'wgs84';
      button.textContent = '已定位';
      button.disabled = false;
    }, function () {
      button.textContent = '无法定位,请填写地址';
      button.disabled = false;
    }, { enableHighAccuracy: true, timeout: 10000 });
  });
})();
