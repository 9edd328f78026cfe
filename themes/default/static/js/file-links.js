/* casebook: a site opened from a folder (file://, a USB stick, a shared drive) shows a
   folder's file listing for a link to the folder. There, and only there, links and forms
   that end at a folder are pointed at its index.html. The build makes every link to the
   site relative (src/render/links.rs), so nothing else needs mending. */
(function () {
  'use strict';
  if (location.protocol !== 'file:') return;
  // Other schemes, the same page, and other hosts are left as they are.
  var elsewhere = /^(?:[a-z][a-z0-9+.-]*:|#|\/\/)/i;
  function mend(el, attribute) {
    var url = el.getAttribute(attribute) || '';
    var end = url.search(/[?#]/), path = end < 0 ? url : url.slice(0, end);
    if (!elsewhere.test(url) && /\/$/.test(path)) {
      el.setAttribute(attribute, path + 'index.html' + url.slice(path.length));
    }
  }
  document.querySelectorAll('a[href]').forEach(function (a) { mend(a, 'href'); });
  document.querySelectorAll('form[action]').forEach(function (f) { mend(f, 'action'); });
})();
