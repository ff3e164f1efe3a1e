// Every page: a region that scrolls (a wide table or output) can be reached and scrolled with the
// keyboard (WCAG 2.1, 2.1.1; axe's scrollable-region-focusable). A region that holds nothing
// focusable gets tabindex=0 and a focus ring (class gexlib-scroll, gexlib-a11y.css).
(function () {
  var FOCUSABLE = "a[href], button, input, select, textarea, [tabindex]";
  function scrolls(el) {
    var style = window.getComputedStyle(el);
    var x = /(auto|scroll)/.test(style.overflowX) && el.scrollWidth > el.clientWidth;
    var y = /(auto|scroll)/.test(style.overflowY) && el.scrollHeight > el.clientHeight;
    return x || y;
  }
  function fix() {
    document.querySelectorAll("main *").forEach(function (el) {
      if (el.hasAttribute("tabindex") || el.querySelector(FOCUSABLE) || !scrolls(el)) return;
      el.setAttribute("tabindex", "0");
      el.classList.add("gexlib-scroll");
    });
  }
  if (document.readyState === "complete") fix();
  else window.addEventListener("load", fix);
  window.addEventListener("resize", fix);
})();
