// JupyterLab plugin: gexlib's accessibility fixes (./a11y.js) on every page of the application.
"use strict";

const { observe } = require("./a11y");

module.exports = {
  id: "gexlib-a11y:plugin",
  description: "Names gexlib's dashboard controls by their visible labels and gives lesson figures their captions as text alternatives.",
  autoStart: true,
  activate: () => {
    observe(document.body);
  },
};
