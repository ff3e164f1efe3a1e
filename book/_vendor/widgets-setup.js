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
// Accessibility of the rendered widgets (names of the controls, text alternatives of the book-mode
// frames), which ipywidgets 8 offers no option for: vendor/widgets-a11y.js, loaded before this
// script, is the same code as gexlib's JupyterLab extension (labextension/src/a11y.js). Re-applied
// whenever the widgets' DOM changes.
document.addEventListener("DOMContentLoaded", function () {
  window.gexlibA11y.observe(document.body);
});
