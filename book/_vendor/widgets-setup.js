// Loaded after require.js and before the widget manager (embed-amd.js) on pages with widgets.
// The manager's modules find their files (Font Awesome fonts) next to their require.js module
// address, which defaults to the page's folder: "@jupyter-widgets/html-manager/dist/…" for the
// manager, "@jupyter-widgets/…" for the controls and base modules it defines. Point both at the
// vendored dist folder served with the book (the longer prefix wins).
(function () {
  var script = document.currentScript.src;                       // .../vendor/widgets-setup.js
  var base = script.substring(0, script.lastIndexOf("/") + 1);  // .../vendor/
  require.config({
    paths: {
      "@jupyter-widgets/html-manager/dist": base + "@jupyter-widgets/html-manager/dist",
      "@jupyter-widgets": base + "@jupyter-widgets/html-manager/dist"
    }
  });
})();
// The theme's Font Awesome script replaces <i> icons by <svg> elements; a Play widget keeps a
// reference to its <i> icon, so nest the svg inside it instead.
window.FontAwesomeConfig = { autoReplaceSvg: "nest" };
// The widget manager typesets labels with the MathJax 2 call MathJax.Hub.Queue(["Typeset", hub, el]);
// the book loads MathJax 3 (deferred, so it exists by DOMContentLoaded, before widgets render on load).
document.addEventListener("DOMContentLoaded", function () {
  var mj = window.MathJax;
  if (!mj || mj.Hub) return;
  mj.Hub = {
    Queue: function (job) {
      var el = job && job[2];
      if (el && mj.startup && mj.startup.promise && mj.typesetPromise) {
        mj.startup.promise.then(function () { return mj.typesetPromise([el]); });
      }
    }
  };
});
// Accessibility of the rendered widgets, which ipywidgets 8 offers no option for (WCAG 2.1: 1.1.1,
// 4.1.2, 2.5.3). Re-applied whenever the widgets' DOM changes:
// - a slider's handle (role="slider") is named by its control's visible label and announces the
//   value its readout shows (a selection slider's handle would otherwise announce an index);
// - a row of toggle buttons is a group named by its label, and a drop-down is named by its label;
// - a book-mode frame (box of class gexlib-frame) carries its figure's text alternative in its
//   readout's data-gexlib-alt attribute (gexlib.course.widgets.book_view): it becomes the alt of
//   the frame's image.
(function () {
  function set(el, name, value) {
    if (value && el.getAttribute(name) !== value) el.setAttribute(name, value);
  }
  function labelOf(widget) {
    var label = widget.querySelector(":scope > .widget-label");
    return label ? label.textContent.trim() : "";
  }
  function fix(root) {
    root.querySelectorAll(".widget-slider").forEach(function (widget) {
      var name = labelOf(widget);
      var readout = widget.querySelector(".widget-readout");
      widget.querySelectorAll("[role=slider]").forEach(function (handle) {
        set(handle, "aria-label", name);
        if (readout) set(handle, "aria-valuetext", readout.textContent.trim());
      });
    });
    root.querySelectorAll(".widget-toggle-buttons, .widget-radio").forEach(function (widget) {
      set(widget, "role", widget.classList.contains("widget-radio") ? "radiogroup" : "group");
      set(widget, "aria-label", labelOf(widget));
    });
    root.querySelectorAll(".widget-dropdown, .widget-select").forEach(function (widget) {
      var select = widget.querySelector("select");
      if (select) set(select, "aria-label", labelOf(widget));
    });
    root.querySelectorAll(".gexlib-frame").forEach(function (frame) {
      var text = frame.querySelector("[data-gexlib-alt]");
      if (!text) return;
      var alt = text.getAttribute("data-gexlib-alt");
      frame.querySelectorAll("img").forEach(function (img) { set(img, "alt", alt); });
    });
  }
  var queued = false;
  var observer = new MutationObserver(function () {
    if (queued) return;
    queued = true;
    window.requestAnimationFrame(function () { queued = false; fix(document); });
  });
  document.addEventListener("DOMContentLoaded", function () {
    fix(document);
    observer.observe(document.body, { childList: true, subtree: true, characterData: true,
                                      attributes: true, attributeFilter: ["class", "aria-valuenow"] });
  });
})();
