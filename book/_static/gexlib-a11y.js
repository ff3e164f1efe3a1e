// Every page: a region that scrolls (a wide table or output) can be reached and scrolled with the
// keyboard (WCAG 2.1, 2.1.1; axe's scrollable-region-focusable). A region that holds nothing
// focusable gets tabindex=0 and a focus ring (class gexlib-scroll, gexlib-a11y.css). Checked on
// load, on resize and after the page changes (widgets render after load), 100 ms after the last
// change; <html data-gexlib-scroll> is "pending" until then and "done" after.
(function () {
  var FOCUSABLE = "a[href], button, input, select, textarea, [tabindex]";
  var root = document.documentElement;
  var timer = null;
  function scrolls(el) {
    var style = window.getComputedStyle(el);
    var x = /(auto|scroll)/.test(style.overflowX) && el.scrollWidth > el.clientWidth;
    var y = /(auto|scroll)/.test(style.overflowY) && el.scrollHeight > el.clientHeight;
    return x || y;
  }
  function fix() {
    timer = null;
    document.querySelectorAll("main *").forEach(function (el) {
      if (el.hasAttribute("tabindex") || el.querySelector(FOCUSABLE) || !scrolls(el)) return;
      el.setAttribute("tabindex", "0");
      el.classList.add("gexlib-scroll");
    });
    root.setAttribute("data-gexlib-scroll", "done");
  }
  function later() {
    root.setAttribute("data-gexlib-scroll", "pending");
    if (timer !== null) window.clearTimeout(timer);
    timer = window.setTimeout(fix, 100);
  }
  later();
  window.addEventListener("load", later);
  window.addEventListener("resize", later);
  document.addEventListener("DOMContentLoaded", function () {
    var main = document.querySelector("main") || document.body;
    new MutationObserver(function () {
      // our own tabindex changes are attribute changes, not observed: no loop
      later();
    }).observe(main, { childList: true, subtree: true });
  });
})();
